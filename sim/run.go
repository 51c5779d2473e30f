// Package sim is the network simulator: N validator nodes running the real
// p2p code paths (gate, status handshake, discovery, gossipsub with envelope
// validation and scoring, the prober, reputation feeding the application
// score) on go-libp2p's mocknet, whose links carry the one-way delay and
// bandwidth of a geographic model (geo.go). Scripted events (a flooding
// node, a partition and its heal) run from a seed, and the same message
// schedule runs on plain gossipsub over the same connection graph as the
// baseline. docs/architecture.md ("Simulation") describes the model and its
// limits; docs/benchmarks.md has the figures.
package sim

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"

	"validator/p2p"
)

// Config is one simulation run.
type Config struct {
	// N is the number of honest validator nodes.
	N int
	// Seed fixes regions, link delays, keys, publishers and events.
	Seed uint64
	// Messages are published at Rate per second, Size payload bytes each, by
	// Publishers distinct nodes in turn.
	Messages   int
	Rate       float64
	Size       int
	Publishers int
	// Jitter spreads each link's delay by ±Jitter (0.1: ±10 %).
	Jitter float64
	// Bandwidth of each link, bytes per second (0: unlimited).
	Bandwidth float64
	// TargetPeers is p2p's discovery target (gossip.target_peers), and
	// MaxConnections its connection cap (network.max_connections).
	TargetPeers    int
	MaxConnections int
	// PingInterval is the prober's interval.
	PingInterval time.Duration
	// DHTRefresh keeps the DHT's routing-table refresh walk (the daemon's
	// default). Off, the table fills from the connections nodes make anyway:
	// at 1,000 nodes started together the start-up walk (a lookup per bucket
	// from every node) kept about a hundred connections per node open through
	// the connection manager's 30 s grace, more memory than this machine has
	// for one process (docs/benchmarks.md, "Simulation").
	DHTRefresh bool
	// HeartbeatInterval is the address-heartbeat interval.
	HeartbeatInterval time.Duration
	// Settle is the wait after convergence before measuring (mesh grafting).
	Settle time.Duration
	// Drain is how long deliveries are awaited after the last publish.
	Drain time.Duration
	// Flood adds a registered node flooding invalid envelopes at FloodRate/s.
	Flood     bool
	FloodRate int
	// Partition splits the Americas from the rest for PartitionFor, then heals.
	Partition    bool
	PartitionFor time.Duration
	// SlowRegion makes every link of ap-southeast SlowFactor times slower
	// (delay up, bandwidth down) for a run of the message schedule.
	SlowRegion bool
	SlowFactor float64
	// Churn is the share of nodes that leave per minute during ChurnFor, each
	// down for ChurnDown (0: no churn phase); every third also exits the
	// registry and registers again when it comes back.
	Churn     float64
	ChurnFor  time.Duration
	ChurnDown time.Duration
	// Eclipse is how many registered attackers try to eclipse one node (0:
	// no eclipse phase).
	Eclipse int
	// Baseline runs the same schedule on plain gossipsub afterwards.
	Baseline bool
	// Log receives progress lines (nil: none).
	Log io.Writer `json:"-"`
}

// DefaultConfig is a run of n nodes with the daemon's defaults.
func DefaultConfig(n int) Config {
	return Config{
		N: n, Seed: 1, Messages: 100, Rate: 20, Size: 256, Publishers: 10,
		Jitter: 0.1, Bandwidth: 12.5e6, TargetPeers: 16, MaxConnections: p2p.DefaultConfig(netName).MaxConnections,
		PingInterval: 10 * time.Second, HeartbeatInterval: 10 * time.Second,
		Settle: 3 * time.Second, Drain: 3 * time.Second,
		Flood: true, FloodRate: 50, Partition: true, PartitionFor: 5 * time.Second,
		SlowRegion: true, SlowFactor: 3,
		Churn: 0.10, ChurnFor: time.Minute, ChurnDown: 20 * time.Second,
		Eclipse:  32,
		Baseline: true,
	}
}

// sim is the state of one run.
type sim struct {
	cfg   Config
	geo   *Geo
	log   func(string, ...any)
	rng   *rand.Rand
	start time.Time
	// live are the streams of every host that have not ended yet; the run
	// resets them once its networks are closed (wire.go).
	live liveStreams
}

// Run runs a simulation and returns its figures.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.N < 2 {
		return nil, fmt.Errorf("n %d: want >= 2", cfg.N)
	}
	cfg.Publishers = max(1, min(cfg.Publishers, cfg.N))
	s := &sim{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5e1)), start: time.Now()}
	s.log = func(f string, a ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "[%6.1fs] "+f+"\n", append([]any{time.Since(s.start).Seconds()}, a...)...)
		}
	}
	total := cfg.N
	if cfg.Flood {
		total++ // the flooder follows the honest nodes
	}
	total += cfg.Eclipse // then the attackers
	s.geo = NewGeo(total, cfg.Seed, cfg.Jitter)
	res := &Result{Config: cfg}
	res.Regions = make(map[string]int)
	for i := range cfg.N {
		res.Regions[s.geo.Region[i].String()]++
	}
	publishers := s.rng.Perm(cfg.N)[:cfg.Publishers]
	defer s.live.resetAll()
	edges, err := s.runValidator(ctx, res, publishers)
	if err != nil {
		return nil, err
	}
	if cfg.Baseline {
		if err := s.runBaseline(ctx, res, publishers, edges); err != nil {
			return nil, err
		}
	}
	res.SimulatedSeconds = time.Since(s.start).Seconds()
	return res, nil
}

// recorder keeps each message's publish time and every node's first receipt.
type recorder struct {
	mu   sync.RWMutex
	msgs map[uint32]*msgRec
	next uint32
}

type msgRec struct {
	from int
	pub  time.Time
	recv []atomic.Int64 // per node: first receipt, unix ns; 0: not received
}

func newRecorder() *recorder { return &recorder{msgs: map[uint32]*msgRec{}} }

// prepare allocates the next message of node from and its payload.
func (r *recorder) prepare(from, n, size int) (uint32, []byte) {
	r.mu.Lock()
	id := r.next
	r.next++
	r.msgs[id] = &msgRec{from: from, recv: make([]atomic.Int64, n)}
	r.mu.Unlock()
	payload := make([]byte, max(size, 4))
	binary.BigEndian.PutUint32(payload, id)
	return id, payload
}

func (r *recorder) published(id uint32, at time.Time) {
	r.mu.Lock()
	r.msgs[id].pub = at
	r.mu.Unlock()
}

func (r *recorder) received(node int, payload []byte, at time.Time) {
	if len(payload) < 4 {
		return
	}
	r.mu.RLock()
	m := r.msgs[binary.BigEndian.Uint32(payload)]
	r.mu.RUnlock()
	if m != nil && node < len(m.recv) {
		m.recv[node].CompareAndSwap(0, at.UnixNano())
	}
}

func (r *recorder) get(id uint32) *msgRec {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.msgs[id]
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapPerNode(n int) float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / float64(n)
}

// publishFn publishes payload from node i.
type publishFn func(ctx context.Context, i int, payload []byte) error

// schedule publishes count messages at rate from publishers in turn and
// returns their IDs once Drain has passed after the last.
func (s *sim) schedule(ctx context.Context, rec *recorder, publishers []int, count int, rate float64, pub publishFn, n int) []uint32 {
	var ids []uint32
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for k := range count {
		from := publishers[k%len(publishers)]
		id, payload := rec.prepare(from, n, s.cfg.Size)
		ids = append(ids, id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec.published(id, time.Now())
			if err := pub(ctx, from, payload); err != nil {
				s.log("publish %d from %d: %v", id, from, err)
			}
		}()
		select {
		case <-ctx.Done():
			return ids
		case <-tick.C:
		}
	}
	wg.Wait()
	select {
	case <-ctx.Done():
	case <-time.After(s.cfg.Drain):
	}
	return ids
}

// measure computes delivery and propagation of ids to the nodes online says
// should have each (all: every node, for every message).
func (s *sim) measure(rec *recorder, ids []uint32, online func(m *msgRec, node int) bool, n int) Delivery {
	var d Delivery
	var lat, bound []float64
	dists := map[int][]time.Duration{}
	for _, id := range ids {
		m := rec.get(id)
		dist, ok := dists[m.from]
		if !ok {
			dist = s.geo.ShortestPaths(m.from)
			dists[m.from] = dist
		}
		for j := range n {
			if j == m.from || !online(m, j) {
				continue
			}
			d.Expected++
			ns := m.recv[j].Load()
			if ns == 0 {
				continue
			}
			d.Delivered++
			l := time.Duration(ns - m.pub.UnixNano())
			if l < dist[j] {
				d.BelowBound++
			}
			lat = append(lat, ms(l))
			bound = append(bound, ms(dist[j]))
		}
	}
	if d.Expected > 0 {
		d.Ratio = float64(d.Delivered) / float64(d.Expected)
	}
	d.P50, d.P99 = pct(lat, 0.5), pct(lat, 0.99)
	d.BoundP50, d.BoundP99 = pct(bound, 0.5), pct(bound, 0.99)
	return d
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func pct(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return v[min(len(v)-1, int(p*float64(len(v))))]
}

// runValidator builds, measures and closes the validator network; it returns
// the connection graph at the end of the quiet phase.
func (s *sim) runValidator(ctx context.Context, res *Result, publishers []int) ([][2]int, error) {
	cfg := s.cfg
	mn := mocknet.New()
	defer mn.Close()
	traffic := &Traffic{}
	topic := p2p.TopicName(netName, p2p.TopicJobs)
	members := p2p.NewStaticMembership()
	total := len(s.geo.Region)
	hosts := make([]host.Host, total)
	ids := make([]p2p.Identity, total)
	byPeer := map[string]int{} // peer ID to node index, filled before any node starts
	for i := range total {
		id, err := p2p.NewIdentity(nodeKey(cfg.Seed, i))
		if err != nil {
			return nil, err
		}
		h, err := mn.AddPeer(id.Priv, nodeAddr(i))
		if err != nil {
			return nil, fmt.Errorf("mocknet peer %d: %w", i, err)
		}
		ids[i], hosts[i] = id, h
		byPeer[string(id.PeerID)] = i
		members.Put(p2p.Member{ID: id.NodeID, PeerID: id.PeerID, Addrs: h.Addrs()})
	}
	if err := linkAll(mn, hosts); err != nil {
		return nil, err
	}
	s.log("validator network: %d hosts linked", total)
	rec := newRecorder()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	v := &vnet{s: s, mn: mn, traffic: traffic, topic: topic, members: members, hosts: hosts, ids: ids, byPeer: byPeer, rec: rec, ctx: runCtx, nodes: make([]*node, cfg.N)}
	defer v.wg.Wait()
	for i := range cfg.N {
		v.nodes[i] = &node{i: i, id: ids[i], host: hosts[i], rep: newReputation(members)}
		if err := v.newService(i); err != nil {
			return nil, err
		}
	}
	nodes := v.nodes
	rejects := &v.rejects
	wg := &v.wg
	defer func() {
		cancel()
		for _, n := range nodes {
			if n.svc != nil {
				_ = n.svc.Close()
			}
		}
	}()
	var fl *flooder
	if cfg.Flood {
		i := cfg.N
		f, err := newFlooder(runCtx, i, ids[i], v.counted(i))
		if err != nil {
			return nil, err
		}
		fl = f
	}
	// Reputation: roll evidence into scores as the daemon's recorder does.
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case now := <-t.C:
				for _, n := range nodes {
					n.rep.flush(now)
				}
			}
		}
	}()

	// Cold start: from starting every node until every node has at least D
	// (6) registered peers, and until gossip reaches every node: a node
	// picked at random publishes a probe every 100 ms from the start, and the
	// network has converged when the first probe has reached every node.
	t0 := time.Now()
	for _, n := range nodes {
		if err := n.svc.Start(); err != nil {
			return nil, err
		}
	}
	pub := func(ctx context.Context, i int, payload []byte) error {
		return nodes[i].svc.Publish(ctx, p2p.TopicJobs, payload)
	}
	want := min(6, cfg.N-1)
	everyone := make([]int, cfg.N)
	for i := range everyone {
		everyone[i] = i
	}
	var probes []uint32
	var lastProbe time.Time
	for res.ColdStartSeconds == 0 || res.ColdStartGossipSeconds == 0 {
		if res.ColdStartSeconds == 0 && allHavePeers(nodes, want) {
			res.ColdStartSeconds = time.Since(t0).Seconds()
			s.log("cold start: every node has >= %d peers after %.2fs", want, res.ColdStartSeconds)
		}
		if res.ColdStartGossipSeconds == 0 {
			if at, ok := s.firstToReach(rec, probes, everyone); ok {
				res.ColdStartGossipSeconds = at.Sub(t0).Seconds()
				s.log("cold start: a message reached every node %.2fs after the start", res.ColdStartGossipSeconds)
			} else if time.Since(lastProbe) >= 100*time.Millisecond {
				probes = append(probes, s.probe(runCtx, rec, s.rng.IntN(cfg.N), pub))
				lastProbe = time.Now()
			}
		}
		if time.Since(t0) > 120*time.Second || ctx.Err() != nil {
			return nil, fmt.Errorf("cold start: not converged in %s (peers %.2fs, gossip %.2fs)", time.Since(t0).Round(time.Millisecond), res.ColdStartSeconds, res.ColdStartGossipSeconds)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(cfg.Settle)

	window := time.Duration(float64(cfg.Messages)/cfg.Rate*float64(time.Second)) + cfg.Drain
	res.Validator.IdleCPUPerNodeSecond = idleCPU(window, cfg.N)
	tr0, c0 := traffic.Snapshot(), cpuTime()
	ids0 := s.schedule(runCtx, rec, publishers, cfg.Messages, cfg.Rate, pub, cfg.N)
	res.Validator.fill(s.measure(rec, ids0, all, cfg.N), traffic.Snapshot().Sub(tr0), cpuTime()-c0, window, cfg)
	res.Validator.HeapPerNodeBytes = heapPerNode(cfg.N)
	s.log("quiet: delivery %.4f p50 %.0fms p99 %.0fms (bound %.0f/%.0f)", res.Validator.Delivery.Ratio, res.Validator.Delivery.P50, res.Validator.Delivery.P99, res.Validator.Delivery.BoundP50, res.Validator.Delivery.BoundP99)
	var edges [][2]int
	for i, n := range nodes {
		for _, p := range n.host.Network().Peers() {
			if j, ok := byPeer[string(p)]; ok && j > i && j < cfg.N {
				edges = append(edges, [2]int{i, j})
			}
		}
	}
	res.Validator.Edges = len(edges)

	if fl != nil {
		fr := &FloodResult{Rate: cfg.FloodRate}
		// The flooder connects to as many honest nodes as a node's target
		// (and greets them as an honest node would), as an attacker would
		// rather than wait to be dialled.
		var wgF sync.WaitGroup
		for _, j := range s.rng.Perm(cfg.N)[:min(cfg.N, cfg.TargetPeers)] {
			wgF.Add(1)
			go func() {
				defer wgF.Done()
				greet(runCtx, fl.host, v.ids[j].PeerID, v.hosts[j].Addrs())
			}()
		}
		wgF.Wait()
		neighbours := map[int]bool{}
		for _, p := range fl.host.Network().Peers() {
			if j, ok := byPeer[string(p)]; ok {
				neighbours[j] = true
			}
		}
		fr.Neighbours = len(neighbours)
		floodCtx, stopFlood := context.WithCancel(runCtx)
		start := time.Now()
		c0 := cpuTime()
		go fl.flood(floodCtx, cfg.FloodRate)
		// Honest traffic during the flood, to see what the flood costs.
		done := make(chan []uint32, 1)
		go func() { done <- s.schedule(floodCtx, rec, publishers, cfg.Messages, cfg.Rate, pub, cfg.N) }()
		// A neighbour is a node connected to the flooder at some point of the
		// flood; it is done once it has graylisted it, and the flooder is cut
		// off once every node connected to it now has.
		first := map[int]time.Duration{}
		var cutAt time.Time
		allCut := func() bool {
			for _, p := range fl.host.Network().Peers() {
				if j, ok := byPeer[string(p)]; ok {
					neighbours[j] = true
					if _, ok := first[j]; !ok {
						return false
					}
				}
			}
			return true
		}
		for time.Since(start) < 30*time.Second {
			for j := range neighbours {
				if _, ok := first[j]; ok {
					continue
				}
				if sc, ok := nodes[j].svc.GossipScores()[fl.id.PeerID]; ok && sc < p2p.GraylistThreshold {
					first[j] = time.Since(start)
				}
			}
			if len(first) > 0 && allCut() {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		fr.Neighbours = len(neighbours)
		if len(first) > 0 && allCut() {
			cutAt = time.Now()
			fr.CutOff, fr.CutOffSeconds = true, cutAt.Sub(start).Seconds()
			// Keep flooding as long again (at least 5 s): how many invalid
			// messages do the neighbours still validate once cut off?
			r0 := rejects.Load()
			after := max(5*time.Second, cutAt.Sub(start))
			time.Sleep(after)
			fr.RejectedPerSecondAfter = float64(rejects.Load()-r0) / after.Seconds()
			fr.Graylisted = 0
			for j := range neighbours {
				if sc, ok := nodes[j].svc.GossipScores()[fl.id.PeerID]; ok && sc < p2p.GraylistThreshold {
					fr.Graylisted++
				}
			}
		}
		idsF := <-done
		stopFlood()
		fr.Sent = fl.sent.Load()
		fr.Rejected = rejects.Load()
		fr.HonestDelivery = s.measure(rec, idsF, all, cfg.N)
		fr.CPUPerNodeSecond = (cpuTime() - c0).Seconds() / time.Since(start).Seconds() / float64(cfg.N)
		res.Flood = fr
		s.log("flood: %d neighbours cut off=%v after %.2fs; honest delivery %.4f", fr.Neighbours, fr.CutOff, fr.CutOffSeconds, fr.HonestDelivery.Ratio)
	}

	if cfg.Partition {
		pr, err := s.partition(runCtx, mn, nodes, hosts, rec, pub)
		if err != nil {
			return nil, err
		}
		res.Partition = pr
	}
	if cfg.SlowRegion {
		res.Slow = s.slowRegion(v, publishers, pub)
	}
	if cfg.Eclipse > 0 {
		from := cfg.N
		if cfg.Flood {
			from++
		}
		er, err := s.eclipse(v, from, publishers, pub)
		if err != nil {
			return nil, err
		}
		res.Eclipse = er
	}
	if cfg.Churn > 0 {
		cr, err := s.churn(v)
		if err != nil {
			return nil, err
		}
		res.Churn = cr
	}
	return edges, nil
}

func allHavePeers(nodes []*node, want int) bool {
	for _, n := range nodes {
		if n.svc.PeerCount() < want {
			return false
		}
	}
	return true
}

// probe publishes one message from node from without waiting for the publish
// (a node without peers yet may hold it) and returns its ID.
func (s *sim) probe(ctx context.Context, rec *recorder, from int, pub publishFn) uint32 {
	id, payload := rec.prepare(from, s.cfg.N, s.cfg.Size)
	rec.published(id, time.Now())
	go func() {
		if err := pub(ctx, from, payload); err != nil && ctx.Err() == nil {
			s.log("probe from %d: %v", from, err)
		}
	}()
	return id
}

// firstToReach is when the first of ids to reach every node of to did so
// (the last of those receipts).
func (s *sim) firstToReach(rec *recorder, ids []uint32, to []int) (time.Time, bool) {
	for _, id := range ids {
		m := rec.get(id)
		var last int64
		all := true
		for _, j := range to {
			if j == m.from {
				continue
			}
			at := m.recv[j].Load()
			if at == 0 {
				all = false
				break
			}
			last = max(last, at)
		}
		if all {
			return time.Unix(0, last), true
		}
	}
	return time.Time{}, false
}

// all: every node should get every message.
func all(*msgRec, int) bool { return true }

// idleCPU is the CPU per node per second of the network doing nothing but its
// background work (gossipsub heartbeats, probes, address heartbeats, DHT).
func idleCPU(window time.Duration, n int) float64 {
	c0 := cpuTime()
	time.Sleep(window)
	return (cpuTime() - c0).Seconds() / window.Seconds() / float64(n)
}

// americas says whether a region is on the Americas side of the partition.
func americas(r Region) bool { return r == USEast || r == USWest || r == SAEast }

// partition cuts every link between the Americas and the rest, waits, heals
// and measures how long until a message published on one side reaches every
// node of the other.
func (s *sim) partition(ctx context.Context, mn mocknet.Mocknet, nodes []*node, hosts []host.Host, rec *recorder, pub publishFn) (*PartitionResult, error) {
	cfg := s.cfg
	var a, b []int
	for i := range nodes {
		if americas(s.geo.Region[i]) {
			a = append(a, i)
		} else {
			b = append(b, i)
		}
	}
	pr := &PartitionResult{SideA: len(a), SideB: len(b), ForSeconds: cfg.PartitionFor.Seconds()}
	if len(a) == 0 || len(b) == 0 {
		return pr, nil
	}
	for _, i := range a {
		for _, j := range b {
			if err := mn.UnlinkPeers(hosts[i].ID(), hosts[j].ID()); err != nil {
				return nil, fmt.Errorf("unlink %d-%d: %w", i, j, err)
			}
			_ = mn.DisconnectPeers(hosts[i].ID(), hosts[j].ID())
		}
	}
	s.log("partition: %d | %d", len(a), len(b))
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(cfg.PartitionFor):
	}
	healed := time.Now()
	for _, i := range a {
		for _, j := range b {
			if _, err := mn.LinkPeers(hosts[i].ID(), hosts[j].ID()); err != nil {
				return nil, err
			}
		}
	}
	// Probe from a node of side A every 100 ms until one reaches all of B.
	from := a[s.rng.IntN(len(a))]
	var probes []uint32
	for time.Since(healed) < 60*time.Second && ctx.Err() == nil {
		probes = append(probes, s.probe(ctx, rec, from, pub))
		time.Sleep(100 * time.Millisecond)
		if at, ok := s.firstToReach(rec, probes, b); ok {
			pr.HealSeconds = at.Sub(healed).Seconds()
			pr.Healed = true
			s.log("partition healed: a message from side A reached all of side B %.2fs after the heal", pr.HealSeconds)
			return pr, nil
		}
	}
	return pr, nil
}
