package sim

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Result is what one run measured. Times are in milliseconds or seconds as
// their names say; JSON keys are the field names.
type Result struct {
	Config  Config         `json:"config"`
	Regions map[string]int `json:"regions"`
	// ColdStartSeconds: from starting every node until every node has at
	// least gossipsub's D (6) registered peers.
	ColdStartSeconds float64 `json:"cold_start_seconds"`
	// ColdStartGossipSeconds: from starting every node until a message (one
	// is published every 100 ms from a node picked at random) has reached
	// every node.
	ColdStartGossipSeconds float64          `json:"cold_start_gossip_seconds"`
	Validator              Side             `json:"validator"`
	Baseline               *Side            `json:"baseline,omitempty"`
	Flood                  *FloodResult     `json:"flood,omitempty"`
	Partition              *PartitionResult `json:"partition,omitempty"`
	Slow                   *SlowResult      `json:"slow_region,omitempty"`
	Churn                  *ChurnResult     `json:"churn,omitempty"`
	Eclipse                *EclipseResult   `json:"eclipse,omitempty"`
	// SimulatedSeconds is the run's length in simulated time, WallSeconds
	// what it took the machine.
	SimulatedSeconds float64 `json:"simulated_seconds"`
	WallSeconds      float64 `json:"wall_seconds"`
}

// Side is one network's figures for the quiet message schedule.
type Side struct {
	Delivery Delivery `json:"delivery"`
	// Amplification: copies of each message received per receiving node
	// (1.0 is the least possible), and their bytes.
	Amplification       float64 `json:"amplification"`
	CopyBytesPerMsgNode float64 `json:"copy_bytes_per_msg_node"`
	// ControlBytesPerNodeSecond: gossipsub bytes that are not message copies
	// (IHAVE, IWANT, GRAFT, PRUNE, IDONTWANT, subscriptions, framing).
	ControlBytesPerNodeSecond float64 `json:"control_bytes_per_node_second"`
	// CPUPerMsgNodeMicros: process CPU during the schedule (publishing and
	// the drain after it) per message per node. It includes the background
	// work (BusyCPUPerNodeSecond against IdleCPUPerNodeSecond shows how much):
	// subtracting the idle figure proved too noisy, the background varies.
	CPUPerMsgNodeMicros float64 `json:"cpu_per_msg_node_us"`
	// BusyCPUPerNodeSecond: CPU seconds per node per second during the schedule.
	BusyCPUPerNodeSecond float64 `json:"busy_cpu_per_node_second"`
	// IdleCPUPerNodeSecond: CPU seconds per node per second with no messages.
	IdleCPUPerNodeSecond float64 `json:"idle_cpu_per_node_second"`
	// HeapPerNodeBytes: Go heap in use after a GC over the node count
	// (everything the process holds, mocknet links included).
	HeapPerNodeBytes float64 `json:"heap_per_node_bytes"`
	// Edges is the number of connections (the graph the baseline copies).
	Edges int `json:"edges"`
}

// Delivery is delivery and propagation of a set of messages to the nodes
// that should get them.
type Delivery struct {
	Expected, Delivered int64
	Ratio               float64
	// P50 and P99 of publish-to-receipt times (ms); BoundP50 and BoundP99 of
	// the shortest-path delays to the same receivers over the latency graph.
	P50, P99, BoundP50, BoundP99 float64
	// BelowBound counts receipts faster than the shortest path: must be 0,
	// or the measurement is wrong.
	BelowBound int64
}

// FloodResult: a registered node floods invalid envelopes.
type FloodResult struct {
	Rate       int   `json:"rate"`
	Sent       int64 `json:"sent"`
	Neighbours int   `json:"neighbours"`
	// CutOff: every node connected to the flooder has had its gossipsub
	// score for the flooder under the graylist threshold (it then drops the
	// flooder's RPCs unread), after CutOffSeconds (score snapshots refresh
	// every second). Neighbours counts every node connected to it during the
	// flood.
	CutOff        bool    `json:"cut_off"`
	CutOffSeconds float64 `json:"cut_off_seconds"`
	// Rejected is how many invalid messages honest nodes validated (and
	// rejected) in all; RejectedPerSecondAfter is their rate once every
	// neighbour had cut the flooder off, and Graylisted how many neighbours
	// had it graylisted at the end: a score just under the threshold decays
	// back over it, and each time one more invalid message is validated.
	Rejected               int64    `json:"rejected"`
	RejectedPerSecondAfter float64  `json:"rejected_per_second_after"`
	Graylisted             int      `json:"graylisted_at_end"`
	HonestDelivery         Delivery `json:"honest_delivery"`
	// CPUPerNodeSecond during the flood (compare with the idle figure).
	CPUPerNodeSecond float64 `json:"cpu_per_node_second"`
}

// PartitionResult: the Americas cut from the rest, then healed.
type PartitionResult struct {
	SideA, SideB int
	ForSeconds   float64
	// HealSeconds: from relinking until a message published on side A after
	// the heal has reached every node of side B.
	Healed      bool
	HealSeconds float64
}

func (sd *Side) fill(d Delivery, tr TrafficSnapshot, cpu, window time.Duration, cfg Config) {
	sd.Delivery = d
	recv := float64(cfg.Messages) * float64(cfg.N-1)
	sd.Amplification = float64(tr.Copies) / recv
	sd.CopyBytesPerMsgNode = float64(tr.CopyBytes) / recv
	sd.ControlBytesPerNodeSecond = float64(tr.ControlBytes) / float64(cfg.N) / window.Seconds()
	sd.CPUPerMsgNodeMicros = cpu.Seconds() / float64(cfg.Messages) / float64(cfg.N) * 1e6
	sd.BusyCPUPerNodeSecond = cpu.Seconds() / window.Seconds() / float64(cfg.N)
}

// Print writes the summary table.
func (r *Result) Print(w io.Writer) {
	c := r.Config
	fmt.Fprintf(w, "simulation: N=%d seed=%d messages=%d x %d B at %.0f/s from %d publishers, link bandwidth %.0f Mbit/s, jitter ±%.0f%%\n",
		c.N, c.Seed, c.Messages, c.Size, c.Rate, c.Publishers, c.Bandwidth*8/1e6, c.Jitter*100)
	fmt.Fprintf(w, "regions: %v\n", r.Regions)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tvalidator\tplain gossipsub\tratio")
	v, b := r.Validator, r.Baseline
	row := func(name string, f func(Side) float64, format string) {
		if b == nil {
			fmt.Fprintf(tw, "%s\t"+format+"\t-\t-\n", name, f(v))
			return
		}
		ratio := "-"
		if f(*b) != 0 {
			ratio = fmt.Sprintf("%.2f", f(v)/f(*b))
		}
		fmt.Fprintf(tw, "%s\t"+format+"\t"+format+"\t%s\n", name, f(v), f(*b), ratio)
	}
	row("delivery ratio", func(s Side) float64 { return s.Delivery.Ratio }, "%.4f")
	row("propagation p50 (ms)", func(s Side) float64 { return s.Delivery.P50 }, "%.0f")
	row("propagation p99 (ms)", func(s Side) float64 { return s.Delivery.P99 }, "%.0f")
	row("shortest-path bound p50 (ms)", func(s Side) float64 { return s.Delivery.BoundP50 }, "%.0f")
	row("shortest-path bound p99 (ms)", func(s Side) float64 { return s.Delivery.BoundP99 }, "%.0f")
	row("p99 / bound p99", func(s Side) float64 { return s.Delivery.P99 / s.Delivery.BoundP99 }, "%.2f")
	row("receipts below the bound", func(s Side) float64 { return float64(s.Delivery.BelowBound) }, "%.0f")
	row("amplification (copies/msg/node)", func(s Side) float64 { return s.Amplification }, "%.2f")
	row("copy bytes/msg/node", func(s Side) float64 { return s.CopyBytesPerMsgNode }, "%.0f")
	row("control bytes/node/s", func(s Side) float64 { return s.ControlBytesPerNodeSecond }, "%.0f")
	row("CPU/msg/node (µs)", func(s Side) float64 { return s.CPUPerMsgNodeMicros }, "%.1f")
	row("busy CPU/node (ms/s)", func(s Side) float64 { return s.BusyCPUPerNodeSecond * 1e3 }, "%.2f")
	row("idle CPU/node (ms/s)", func(s Side) float64 { return s.IdleCPUPerNodeSecond * 1e3 }, "%.2f")
	row("heap/node (KiB)", func(s Side) float64 { return s.HeapPerNodeBytes / 1024 }, "%.0f")
	row("connections", func(s Side) float64 { return float64(s.Edges) }, "%.0f")
	tw.Flush()
	fmt.Fprintf(w, "cold start: every node >= 6 peers after %.2f s; a message reached every node %.2f s after the start\n", r.ColdStartSeconds, r.ColdStartGossipSeconds)
	if f := r.Flood; f != nil {
		fmt.Fprintf(w, "flood: %d invalid msgs at %d/s to %d neighbours; every neighbour graylisted it: %v after %.2f s; then %.1f rejected/s network-wide, %d of %d graylisting it at the end; honest delivery during it %.4f (p99 %.0f ms); CPU/node %.2f ms/s\n",
			f.Sent, f.Rate, f.Neighbours, f.CutOff, f.CutOffSeconds, f.RejectedPerSecondAfter, f.Graylisted, f.Neighbours, f.HonestDelivery.Ratio, f.HonestDelivery.P99, f.CPUPerNodeSecond*1e3)
	}
	if p := r.Partition; p != nil {
		fmt.Fprintf(w, "partition %d | %d for %.0f s: healed %v, a message from A reached all of B %.2f s after the heal\n",
			p.SideA, p.SideB, p.ForSeconds, p.Healed, p.HealSeconds)
	}
	if sr := r.Slow; sr != nil {
		fmt.Fprintf(w, "slow region %s (%d nodes, links %.0fx slower): delivery %.4f; in it p99 %.0f ms (bound %.0f ms), elsewhere p99 %.0f ms (bound %.0f ms)\n",
			sr.Region, sr.Nodes, sr.Factor, sr.Delivery.Ratio, sr.InRegion.P99, sr.InRegion.BoundP99, sr.Others.P99, sr.Others.BoundP99)
	}
	if e := r.Eclipse; e != nil {
		fmt.Fprintf(w, "eclipse by %d attackers, victim restarted among them: it kept %d honest peers (and %d attackers); delivery to it %.4f (p99 %.0f ms), to the rest %.4f\n",
			e.Attackers, e.VictimHonestPeers, e.VictimAttackerPeers, e.Victim.Ratio, e.Victim.P99, e.Others.Ratio)
	}
	if c := r.Churn; c != nil {
		fmt.Fprintf(w, "churn %.0f%%/min for %.0f s (down %.0f s each): %d left, %d of them exited the registry, %d came back; delivery %.4f to nodes online for a message's %.0f s lifetime (%d of %d), p99 %.0f ms\n",
			c.PerMinute*100, c.ForSeconds, c.DownSeconds, c.Leaves, c.Exits, c.Joins, c.Delivery.Ratio, c.LifetimeSeconds, c.Delivery.Delivered, c.Delivery.Expected, c.Delivery.P99)
	}
	fmt.Fprintf(w, "simulated %.1f s in %.1f s of wall time\n", r.SimulatedSeconds, r.WallSeconds)
}
