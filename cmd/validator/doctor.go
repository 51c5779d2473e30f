package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"validator/doctor"
)

// cmdDoctor runs validator doctor: the checks live in doctor/, this prints
// them and exits non-zero on a failure.
func cmdDoctor(cctx *cli.Context) error {
	ctx, out := cctx.Context, cctx.App.Writer
	if cctx.Duration("timeout") <= 0 {
		return usagef("--timeout %s: want a positive duration such as 5s", cctx.Duration("timeout"))
	}
	cfg, err := parseConfigFlags(cctx).load()
	if err != nil {
		return err
	}
	key, err := loadNodeKey(cfg.Keys.NodeKey)
	if err != nil {
		return err
	}
	dc, err := doctor.FromConfig(cfg, key, cctx.String("api"))
	if err != nil {
		return err
	}
	dc.Timeout = cctx.Duration("timeout")
	rs := doctor.Run(ctx, dc)
	counts := map[doctor.Status]int{}
	for _, r := range rs {
		counts[r.Status]++
	}
	if cctx.Bool("json") {
		if err := json.NewEncoder(out).Encode(rs); err != nil {
			return err
		}
	} else {
		for _, r := range rs {
			fmt.Fprintf(out, "%-4s  %s: %s\n", r.Status, r.Check, r.Detail)
			if r.Next != "" {
				fmt.Fprintf(out, "      next: %s\n", r.Next)
			}
		}
		fmt.Fprintf(out, "%d ok, %d warn, %d fail, %d skipped\n", counts[doctor.OK], counts[doctor.Warn], counts[doctor.Fail], counts[doctor.Skip])
	}
	if doctor.Failed(rs) {
		var failed []string
		for _, r := range rs {
			if r.Status == doctor.Fail {
				failed = append(failed, r.Check)
			}
		}
		return fmt.Errorf("%d checks failed: %s", len(failed), strings.Join(failed, ", "))
	}
	return nil
}
