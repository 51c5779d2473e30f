package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"validator/api"
	"validator/chain"
)

// accountabilityFlags set a registry's offline-report parameters at deploy
// (registry deploy, devnet); def gives their defaults.
func accountabilityFlags(def chain.Accountability) []cli.Flag {
	return []cli.Flag{
		&cli.DurationFlag{Name: "report-window", Value: def.ReportWindow, Usage: "length of a report window (whole seconds)"},
		&cli.DurationFlag{Name: "offline-threshold", Value: def.OfflineThreshold, Usage: "offline time in one window that gets a node jailed (at most --report-window)"},
		&cli.DurationFlag{Name: "report-deadline", Value: def.ReportDeadline, Usage: "how long after a window ends it may still be reported"},
		&cli.DurationFlag{Name: "jail-period", Value: def.JailPeriod, Usage: "how long a jailed node stays out before its operator may unjail it"},
		&cli.UintFlag{Name: "slash-bps", Value: uint(def.SlashBps), Usage: "share of the stake slashed per report, in basis points (1..10000)"},
		&cli.UintFlag{Name: "committee-size", Value: uint(def.CommitteeSize), Usage: "observers per node and window whose attestations count"},
		&cli.StringFlag{Name: "slash-sink", Usage: "`address` that receives slashed stake (default: the admin)"},
	}
}

// accountabilityFromFlags reads accountabilityFlags.
func accountabilityFromFlags(cctx *cli.Context) (chain.Accountability, error) {
	a := chain.Accountability{
		ReportWindow: cctx.Duration("report-window"), OfflineThreshold: cctx.Duration("offline-threshold"),
		ReportDeadline: cctx.Duration("report-deadline"), JailPeriod: cctx.Duration("jail-period"),
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"report-window", a.ReportWindow}, {"offline-threshold", a.OfflineThreshold}, {"report-deadline", a.ReportDeadline}, {"jail-period", a.JailPeriod}} {
		if f.d < time.Second || f.d%time.Second != 0 {
			return a, usagef("--%s %s: want a whole number of seconds, at least 1s", f.name, f.d)
		}
	}
	if a.OfflineThreshold > a.ReportWindow {
		return a, usagef("--offline-threshold %s is longer than --report-window %s: no node could ever be reported", a.OfflineThreshold, a.ReportWindow)
	}
	bps, size := cctx.Uint("slash-bps"), cctx.Uint("committee-size")
	if bps < 1 || bps > 10_000 {
		return a, usagef("--slash-bps %d: want 1..10000 (100 is 1%%)", bps)
	}
	if size < 1 || size > 1<<20 {
		return a, usagef("--committee-size %d: want 1..1048576", size)
	}
	a.SlashBps, a.CommitteeSize = uint16(bps), uint32(size)
	if s := cctx.String("slash-sink"); s != "" {
		if !common.IsHexAddress(s) {
			return a, usagef("--slash-sink %q is not an address", s)
		}
		a.SlashSink = common.HexToAddress(s)
	}
	return a, nil
}

func cmdUnjail(cctx *cli.Context) error {
	ctx, out, errOut, cf := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter, parseConfigFlags(cctx)
	nodeFlag, topUpFlag := cctx.String("node"), cctx.String("top-up")
	var topUp *big.Int
	if topUpFlag != "" {
		v, err := parseEther(topUpFlag)
		if err != nil {
			return usageError{error: fmt.Errorf("--top-up: %w", err)}
		}
		topUp = v
	}
	return withNodeTx(ctx, cf, nodeFlag, errOut, func(e *chainEnv, tx *chain.Transactor, id common.Address) error {
		if err := checkUnjail(ctx, e, id, topUp); err != nil {
			return err
		}
		r, err := tx.Unjail(ctx, id, topUp)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "node %s is back in the active set (block %d); peers accept it once the unjail is confirmed\n", id, r.Block)
		return nil
	})
}

// checkUnjail says, before any transaction, why the registry would refuse to
// unjail id now.
func checkUnjail(ctx context.Context, e *chainEnv, id common.Address, topUp *big.Int) error {
	n, err := chain.ReadNode(ctx, e.backend, e.network.Registry, id)
	if err != nil {
		return err
	}
	if n.Status != chain.StatusJailed {
		return fmt.Errorf("node %s is %s, not jailed: nothing to unjail", id, n.Status)
	}
	if wait := time.Until(n.JailedUntil); wait > 0 {
		return fmt.Errorf("node %s is jailed until %s (%s from now): run `validator unjail` again after that", id, n.JailedUntil.UTC().Format(time.RFC3339), wait.Round(time.Second))
	}
	p, err := chain.ReadParams(ctx, e.backend, e.network.Registry)
	if err != nil {
		return err
	}
	stake := new(big.Int).Set(n.Stake)
	if topUp != nil {
		stake.Add(stake, topUp)
	}
	if stake.Cmp(p.MinStake) < 0 {
		short := new(big.Int).Sub(p.MinStake, stake)
		return fmt.Errorf("node %s has %s ETH staked after slashing and the registry's minimum is %s ETH: add --top-up %s", id, formatEther(n.Stake), formatEther(p.MinStake), formatEther(short))
	}
	return nil
}

func cmdReports(cctx *cli.Context) error {
	ctx, out := cctx.Context, cctx.App.Writer
	addr, asJSON := apiAddr(cctx), cctx.Bool("json")
	c := api.NewClient(addr)
	defer c.Close()
	r, err := c.Reports(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	p := r.Params
	mode := "attesting, not submitting (accountability.submit = false)"
	switch {
	case !r.Enabled:
		mode = "off (accountability.enabled = false): neither attesting nor submitting"
	case r.Submit:
		mode = "attesting and submitting reports"
	}
	fmt.Fprintf(out, "accountability: %s\n", mode)
	fmt.Fprintf(out, "registry: windows of %s; jailed at %s offline in one window, by a quorum of a committee of up to %d; reportable for %s; jail %s; slash %.2f%%\n",
		secs(p.ReportWindowSeconds), secs(p.OfflineThresholdSeconds), p.CommitteeSize, secs(p.ReportDeadlineSeconds), secs(p.JailPeriodSeconds), float64(p.SlashBps)/100)
	fmt.Fprintf(out, "current window: %d (ends %s)\n", r.CurrentWindow, r.CurrentWindowEnds.Format(time.RFC3339))
	if len(r.Quorums) == 0 {
		fmt.Fprintln(out, "no offline attestations kept for a window that may still be reported")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "NODE\tWINDOW\tSTARTED\tATTESTATIONS\tELIGIBLE\tNEEDED\tQUORUM\tSUBMISSION\tTX\n")
	for _, q := range r.Quorums {
		quorum, sub, tx := "no", "-", "-"
		switch {
		case q.Met:
			quorum = "yes"
		case q.Needed == 0:
			quorum = "node not active"
		}
		if s := q.Submission; s != nil {
			sub = s.State
			if s.TxHash != "" {
				tx = s.TxHash
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%s\t%s\t%s\n", q.Node, q.Window, q.WindowStart.Format(time.RFC3339), q.Attestations, q.Eligible, q.Needed, quorum, sub, tx)
	}
	return tw.Flush()
}

func secs(s uint64) time.Duration { return time.Duration(s) * time.Second }
