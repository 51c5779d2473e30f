package sim

import (
	"context"
	"slices"
	"time"

	"validator/p2p"
)

// SlowResult: every link of one region made SlowFactor times slower (delay
// up, bandwidth down) while the quiet schedule runs again.
type SlowResult struct {
	Region string  `json:"region"`
	Factor float64 `json:"factor"`
	Nodes  int     `json:"nodes"`
	// Delivery to every node, and to the nodes in and out of the region; the
	// bounds are over the slowed latency graph.
	Delivery Delivery `json:"delivery"`
	InRegion Delivery `json:"in_region"`
	Others   Delivery `json:"others"`
}

// slowRegion slows every link of the region farthest from the rest
// (ap-southeast) by cfg.SlowFactor, runs the message schedule, and restores
// the links.
func (s *sim) slowRegion(v *vnet, publishers []int, pub publishFn) *SlowResult {
	cfg := s.cfg
	r, f := APSoutheast, cfg.SlowFactor
	sr := &SlowResult{Region: r.String(), Factor: f}
	for i := range v.nodes {
		if s.geo.Region[i] == r {
			sr.Nodes++
		}
	}
	s.geo.Scale(r, f)
	s.log("slow region: %s (%d nodes) %.0fx slower", r, sr.Nodes, f)
	ids := s.schedule(v.ctx, v.rec, publishers, cfg.Messages, cfg.Rate, pub, cfg.N)
	in := func(_ *msgRec, j int) bool { return s.geo.Region[j] == r }
	out := func(_ *msgRec, j int) bool { return s.geo.Region[j] != r }
	sr.Delivery = s.measure(v.rec, ids, all, cfg.N)
	sr.InRegion = s.measure(v.rec, ids, in, cfg.N)
	sr.Others = s.measure(v.rec, ids, out, cfg.N)
	s.geo.Scale(r, 1/f)
	s.log("slow region: delivery %.4f (in it %.4f, p99 %.0fms against a bound of %.0fms; elsewhere p99 %.0fms)",
		sr.Delivery.Ratio, sr.InRegion.Ratio, sr.InRegion.P99, sr.InRegion.BoundP99, sr.Others.P99)
	return sr
}

// ChurnResult: nodes leave and come back while messages flow.
type ChurnResult struct {
	// PerMinute is the share of nodes that leave per minute; each comes back
	// DownSeconds later. Every ExitEvery-th leaver also exits the registry
	// and registers again when it comes back.
	PerMinute   float64 `json:"per_minute"`
	ForSeconds  float64 `json:"for_seconds"`
	DownSeconds float64 `json:"down_seconds"`
	Leaves      int     `json:"leaves"`
	Joins       int     `json:"joins"`
	Exits       int     `json:"exits"`
	// Delivery counts, for each message whose publisher stayed up for its
	// whole lifetime (up since before its publish and until LifetimeSeconds
	// after), the nodes online for that lifetime. A publisher that leaves
	// while its message is on the wire takes it along (the links are cut).
	LifetimeSeconds float64  `json:"lifetime_seconds"`
	Delivery        Delivery `json:"delivery"`
}

// exitEvery: every third node that leaves also leaves the registry.
const exitEvery = 3

// churn makes cfg.Churn of the nodes leave per minute for cfg.ChurnFor, each
// coming back cfg.ChurnDown later, while a node picked at random among those
// online publishes at cfg.Rate.
func (s *sim) churn(v *vnet) (*ChurnResult, error) {
	cfg := s.cfg
	cr := &ChurnResult{PerMinute: cfg.Churn, ForSeconds: cfg.ChurnFor.Seconds(), DownSeconds: cfg.ChurnDown.Seconds(), LifetimeSeconds: cfg.Drain.Seconds()}
	every := time.Duration(float64(time.Minute) / (cfg.Churn * float64(cfg.N)))
	start := time.Now()
	up := make([]bool, cfg.N)
	downs := make([][][2]time.Time, cfg.N) // each node's down intervals
	for i := range up {
		up[i] = true
	}
	upSince := func(i int) time.Time {
		if d := downs[i]; len(d) > 0 {
			return d[len(d)-1][1]
		}
		return start.Add(-time.Hour)
	}
	forever := start.Add(1000 * time.Hour)
	type back struct {
		i    int
		at   time.Time
		exit bool
	}
	var pending []back
	var ids []uint32
	pub := func(ctx context.Context, i int, payload []byte) error {
		return v.nodes[i].svc.Publish(ctx, p2p.TopicJobs, payload)
	}
	pubTick := time.NewTicker(time.Duration(float64(time.Second) / cfg.Rate))
	defer pubTick.Stop()
	nextLeave := start.Add(every)
	for time.Since(start) < cfg.ChurnFor {
		now := time.Now()
		for now.After(nextLeave) {
			nextLeave = nextLeave.Add(every)
			// A node that has been up longer than the down time leaves.
			var cands []int
			for i := range up {
				if up[i] && now.Sub(upSince(i)) > cfg.ChurnDown {
					cands = append(cands, i)
				}
			}
			if len(cands) == 0 {
				continue
			}
			i := cands[s.rng.IntN(len(cands))]
			cr.Leaves++
			exit := cr.Leaves%exitEvery == 0
			up[i] = false
			downs[i] = append(downs[i], [2]time.Time{now, forever})
			v.leave(i)
			if exit {
				cr.Exits++
				v.members.Remove(v.ids[i].NodeID)
			}
			pending = append(pending, back{i: i, at: now.Add(cfg.ChurnDown), exit: exit})
		}
		for len(pending) > 0 && !now.Before(pending[0].at) {
			b := pending[0]
			pending = pending[1:]
			if err := v.rejoin(b.i, b.exit); err != nil {
				return nil, err
			}
			cr.Joins++
			up[b.i] = true
			downs[b.i][len(downs[b.i])-1][1] = time.Now()
		}
		select {
		case <-v.ctx.Done():
			return nil, v.ctx.Err()
		case <-pubTick.C:
		}
		var online []int
		for i := range up {
			if up[i] {
				online = append(online, i)
			}
		}
		ids = append(ids, s.probe(v.ctx, v.rec, online[s.rng.IntN(len(online))], pub))
	}
	time.Sleep(cfg.Drain)
	life := cfg.Drain
	onlineWhole := func(m *msgRec, j int) bool {
		for _, iv := range slices.Concat(downs[j], downs[m.from]) {
			if iv[0].Before(m.pub.Add(life)) && iv[1].After(m.pub) {
				return false // down at some point of [publish, publish+life]
			}
		}
		return true
	}
	cr.Delivery = s.measure(v.rec, ids, onlineWhole, cfg.N)
	s.log("churn: %d left (%d exits), %d came back; delivery %.4f to nodes online for a message's lifetime, p99 %.0fms",
		cr.Leaves, cr.Exits, cr.Joins, cr.Delivery.Ratio, cr.Delivery.P99)
	// Bring back whoever is still down, so the network ends whole.
	for _, b := range pending {
		if err := v.rejoin(b.i, b.exit); err != nil {
			return nil, err
		}
	}
	return cr, nil
}

// rejoin brings node i back, registering it again first if it had exited.
func (v *vnet) rejoin(i int, registerAgain bool) error {
	if registerAgain {
		v.members.Put(p2p.Member{ID: v.ids[i].NodeID, PeerID: v.ids[i].PeerID, Addrs: v.hosts[i].Addrs()})
	}
	return v.join(i)
}
