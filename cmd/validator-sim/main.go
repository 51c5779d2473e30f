// Command validator-sim runs the network simulator (package sim): N validator
// nodes on an in-process network with geographic latency, scripted events
// and a plain-gossipsub baseline; it prints a summary table and can write it
// as JSON.
//
//	go run ./cmd/validator-sim -n 300 -seed 1 -json /tmp/sim-300.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"testing"

	"validator/sim"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "validator-sim:", err)
		os.Exit(1)
	}
}

func run() error {
	d := sim.DefaultConfig(100)
	cfg := d
	flag.IntVar(&cfg.N, "n", d.N, "honest nodes")
	flag.Uint64Var(&cfg.Seed, "seed", d.Seed, "seed of regions, delays, keys, publishers and events")
	flag.IntVar(&cfg.Messages, "messages", d.Messages, "messages in the quiet schedule (and again during the flood)")
	flag.Float64Var(&cfg.Rate, "rate", d.Rate, "messages per second")
	flag.IntVar(&cfg.Size, "size", d.Size, "payload bytes")
	flag.IntVar(&cfg.Publishers, "publishers", d.Publishers, "distinct publishing nodes")
	flag.Float64Var(&cfg.Bandwidth, "bandwidth", d.Bandwidth, "link bandwidth, bytes/s (0: unlimited)")
	flag.IntVar(&cfg.TargetPeers, "target-peers", d.TargetPeers, "p2p discovery target")
	flag.IntVar(&cfg.MaxConnections, "max-connections", d.MaxConnections, "p2p connection cap")
	flag.DurationVar(&cfg.PingInterval, "ping-interval", d.PingInterval, "prober interval")
	flag.DurationVar(&cfg.Settle, "settle", d.Settle, "wait after cold start before measuring")
	flag.BoolVar(&cfg.Flood, "flood", d.Flood, "add a node flooding invalid messages")
	flag.BoolVar(&cfg.Partition, "partition", d.Partition, "partition the Americas from the rest, then heal")
	flag.DurationVar(&cfg.PartitionFor, "partition-for", d.PartitionFor, "partition length")
	flag.BoolVar(&cfg.SlowRegion, "slow-region", d.SlowRegion, "make ap-southeast's links -slow-factor times slower for a message schedule")
	flag.Float64Var(&cfg.SlowFactor, "slow-factor", d.SlowFactor, "how much slower the slow region's links are")
	flag.Float64Var(&cfg.Churn, "churn", d.Churn, "share of nodes leaving per minute in the churn phase (0: none)")
	flag.DurationVar(&cfg.ChurnFor, "churn-for", d.ChurnFor, "length of the churn phase")
	flag.DurationVar(&cfg.ChurnDown, "churn-down", d.ChurnDown, "how long each leaving node stays away")
	flag.IntVar(&cfg.Eclipse, "eclipse", d.Eclipse, "registered attackers trying to eclipse one node (0: none)")
	flag.BoolVar(&cfg.DHTRefresh, "dht-refresh", d.DHTRefresh, "keep the DHT's routing-table refresh walk (off: the table fills from connections)")
	flag.BoolVar(&cfg.Baseline, "baseline", d.Baseline, "run the plain-gossipsub baseline")
	jsonOut := flag.String("json", "", "write the result as JSON to this file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	quiet := flag.Bool("q", false, "no progress lines")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: validator-sim [flags]\n\nexample: go run ./cmd/validator-sim -n 300 -json /tmp/sim-300.json\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if !*quiet {
		cfg.Log = os.Stderr
	}
	// The simulation runs in virtual time (sim.RunVirtual), in a synctest
	// bubble, which needs a *testing.T: testing.Main makes one, runs it and
	// exits (0, or 1 on an error; "PASS" is its last line).
	testing.Main(func(string, string) (bool, error) { return true, nil }, []testing.InternalTest{{
		Name: "validator-sim",
		F: func(t *testing.T) {
			if err := simulate(t, cfg, *jsonOut, *cpuProfile); err != nil {
				t.Error(err)
			}
		},
	}}, nil, nil)
	return nil
}

func simulate(t *testing.T, cfg sim.Config, jsonOut, cpuProfile string) error {
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// Report from inside the bubble and exit there: the simulated network
	// need not wind down for a command.
	_, err := sim.RunVirtual(t, cfg, func(res *sim.Result, err error) {
		if err == nil {
			err = report(res, jsonOut)
		}
		pprof.StopCPUProfile()
		if err != nil {
			fmt.Fprintln(os.Stderr, "validator-sim:", err)
			os.Exit(1)
		}
		os.Exit(0)
	})
	return err
}

func report(res *sim.Result, jsonOut string) error {
	res.Print(os.Stdout)
	if jsonOut != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonOut, b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", jsonOut, err)
		}
	}
	return nil
}
