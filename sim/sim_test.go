package sim_test

import (
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"validator/sim"
)

var (
	simN    = flag.Int("sim.n", 0, "run TestSimRun with this many nodes (0: skip)")
	simSeed = flag.Uint64("sim.seed", 1, "seed of TestSimRun")
	simMsgs = flag.Int("sim.messages", 100, "messages of TestSimRun")
	simSize = flag.Int("sim.size", 256, "payload bytes of TestSimRun")
	simJSON = flag.String("sim.json", "", "write TestSimRun's result to this file")
)

// TestSimSmoke is a 20-node run in virtual time with every scripted event
// and the baseline: every online node gets every message, no receipt beats
// the shortest path (a check of the measurement itself), the flooder is cut
// off by every neighbour, the partition heals, a slow region still gets
// everything, and under churn the nodes online throughout get at least
// 99.9 %.
func TestSimSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("a 20-node simulation (about 5 s)")
	}
	cfg := sim.DefaultConfig(20)
	cfg.Messages, cfg.Rate, cfg.Publishers = 30, 30, 5
	cfg.Settle, cfg.Drain = time.Second, 2*time.Second
	cfg.PartitionFor = 2 * time.Second
	cfg.ChurnFor, cfg.Churn, cfg.ChurnDown = 40*time.Second, 0.3, 10*time.Second
	if testing.Verbose() {
		cfg.Log = os.Stderr
	}
	res, err := sim.RunVirtual(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Print(os.Stderr)
	for name, side := range map[string]*sim.Side{"validator": &res.Validator, "baseline": res.Baseline} {
		d := side.Delivery
		if d.Ratio != 1 {
			t.Errorf("%s: delivered %d of %d", name, d.Delivered, d.Expected)
		}
		if d.BelowBound != 0 {
			t.Errorf("%s: %d receipts faster than the shortest path: the measurement is wrong", name, d.BelowBound)
		}
		if d.P50 < d.BoundP50 {
			t.Errorf("%s: p50 %.1f ms below the bound's p50 %.1f ms", name, d.P50, d.BoundP50)
		}
		if side.Amplification < 0.99 {
			t.Errorf("%s: amplification %.2f: fewer copies counted than delivered", name, side.Amplification)
		}
	}
	if f := res.Flood; f == nil || !f.CutOff || f.Neighbours == 0 {
		t.Errorf("the flooder was not cut off by all its neighbours: %+v", f)
	} else {
		// Not asserted yet: a graylisted score decays back over the threshold
		// within seconds and lets more invalid messages in (docs/benchmarks.md,
		// "Simulation"; issue 10's note).
		t.Logf("after the cut-off honest nodes still validate %.1f invalid messages/s", f.RejectedPerSecondAfter)
	}
	if p := res.Partition; p == nil || !p.Healed {
		t.Errorf("the partition did not heal: %+v", p)
	}
	if sr := res.Slow; sr == nil || sr.Delivery.Ratio != 1 {
		t.Errorf("with a slow region, not every message reached every node: %+v", sr)
	}
	if c := res.Churn; c == nil || c.Leaves == 0 || c.Joins == 0 || c.Delivery.Ratio < 0.999 {
		t.Errorf("churn: %+v; want leaves, joins and delivery >= 0.999 to the nodes online throughout", c)
	}
}

// TestSimRun runs a simulation of -sim.n nodes (skipped without it):
//
//	go test ./sim -run TestSimRun -sim.n=300 -timeout=30m -v
func TestSimRun(t *testing.T) {
	if *simN == 0 {
		t.Skip("set -sim.n")
	}
	cfg := sim.DefaultConfig(*simN)
	cfg.Seed, cfg.Messages, cfg.Size = *simSeed, *simMsgs, *simSize
	cfg.Log = os.Stderr
	res, err := sim.RunVirtual(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Print(os.Stdout)
	if *simJSON != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*simJSON, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
