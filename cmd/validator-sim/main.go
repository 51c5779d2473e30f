// Command validator-sim runs the network simulator (package sim): N validator
// nodes on an in-process network with geographic latency, scripted events
// and a plain-gossipsub baseline; it prints a summary table and can write it
// as JSON.
//
//	go run ./cmd/validator-sim -n 300 -seed 1 -json /tmp/sim-300.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"

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
	flag.DurationVar(&cfg.PingInterval, "ping-interval", d.PingInterval, "prober interval")
	flag.DurationVar(&cfg.Settle, "settle", d.Settle, "wait after cold start before measuring")
	flag.BoolVar(&cfg.Flood, "flood", d.Flood, "add a node flooding invalid messages")
	flag.BoolVar(&cfg.Partition, "partition", d.Partition, "partition the Americas from the rest, then heal")
	flag.DurationVar(&cfg.PartitionFor, "partition-for", d.PartitionFor, "partition length")
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
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := sim.Run(ctx, cfg)
	if err != nil {
		return err
	}
	res.Print(os.Stdout)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", *jsonOut, err)
		}
	}
	return nil
}
