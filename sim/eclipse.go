package sim

import (
	"context"
	"fmt"
	"slices"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	ma "github.com/multiformats/go-multiaddr"

	"validator/p2p"
)

// EclipseResult: registered attackers try to surround one victim: they stay
// connected to it, answer its handshakes and pings, join its topics' meshes
// and never forward a message; the victim restarts while they wait for it
// (the moment an eclipse is easiest), then a message schedule runs.
type EclipseResult struct {
	Attackers int `json:"attackers"`
	// The victim's connections after the restart: to honest nodes and to
	// attackers.
	VictimHonestPeers   int `json:"victim_honest_peers"`
	VictimAttackerPeers int `json:"victim_attacker_peers"`
	// Delivery of the schedule to the victim, and to everyone else.
	Victim Delivery `json:"victim"`
	Others Delivery `json:"others"`
}

// serveStatus answers the status handshake on h like an honest node.
func serveStatus(h host.Host, version string) error {
	st, err := encodeStatus(version)
	if err != nil {
		return err
	}
	rr := p2p.ReqResp{ID: p2p.StatusProtocol(netName), MaxRequest: 512, MaxResponse: 512, Timeout: 5 * time.Second}
	rr.Serve(h, func(context.Context, peer.ID, []byte) ([]byte, error) { return st, nil })
	return nil
}

// greet dials p from h and speaks first in the status handshake, as an
// honest dialer does (a dialer that stays silent is dropped).
func greet(ctx context.Context, h host.Host, p peer.ID, addrs []ma.Multiaddr) {
	if err := h.Connect(ctx, peer.AddrInfo{ID: p, Addrs: addrs}); err != nil {
		return
	}
	st, err := encodeStatus("attacker")
	if err != nil {
		return
	}
	rr := p2p.ReqResp{ID: p2p.StatusProtocol(netName), MaxRequest: 512, MaxResponse: 512, Timeout: 5 * time.Second}
	_, _ = rr.Request(ctx, h, p, st)
}

// attacker joins every standard topic with plain gossipsub, subscribed so
// it is in the meshes, and validates nothing as good: it never forwards.
func startAttacker(ctx context.Context, h host.Host) error {
	if err := serveStatus(h, "attacker"); err != nil {
		return err
	}
	ping.NewPingService(h)
	ps, err := pubsub.NewGossipSub(ctx, h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign), pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(func(m *pb.Message) string { return p2p.MessageID(m.Data) }),
		pubsub.WithMaxMessageSize(1<<20))
	if err != nil {
		return fmt.Errorf("attacker gossipsub: %w", err)
	}
	for _, name := range p2p.StandardTopics {
		full := p2p.TopicName(netName, name)
		if err := ps.RegisterTopicValidator(full, func(context.Context, peer.ID, *pubsub.Message) pubsub.ValidationResult {
			return pubsub.ValidationIgnore
		}); err != nil {
			return err
		}
		t, err := ps.Join(full)
		if err != nil {
			return err
		}
		if _, err := t.Subscribe(); err != nil {
			return err
		}
	}
	return nil
}

// eclipse runs the eclipse phase with the attackers at host indexes from.
func (s *sim) eclipse(v *vnet, from int, publishers []int, pub publishFn) (*EclipseResult, error) {
	cfg := s.cfg
	er := &EclipseResult{Attackers: cfg.Eclipse}
	// The victim: an honest node that does not publish.
	victim := -1
	for _, i := range s.rng.Perm(cfg.N) {
		if !slices.Contains(publishers, i) {
			victim = i
			break
		}
	}
	if victim < 0 {
		return er, nil
	}
	ctx, stop := context.WithCancel(v.ctx)
	defer stop()
	attackers := map[string]bool{}
	for k := range cfg.Eclipse {
		i := from + k
		h := v.counted(i)
		attackers[string(v.ids[i].PeerID)] = true
		if err := startAttacker(ctx, h); err != nil {
			return nil, err
		}
		// Stay connected to the victim: redial it every 250 ms.
		target := peer.AddrInfo{ID: v.ids[victim].PeerID, Addrs: v.hosts[victim].Addrs()}
		v.wg.Add(1)
		go func() {
			defer v.wg.Done()
			t := time.NewTicker(250 * time.Millisecond)
			defer t.Stop()
			for {
				if h.Network().Connectedness(target.ID) != network.Connected {
					greet(ctx, h, target.ID, target.Addrs)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	s.log("eclipse: %d attackers on node %d", cfg.Eclipse, victim)
	time.Sleep(5 * time.Second)
	// The victim restarts while they wait for it.
	v.leave(victim)
	time.Sleep(time.Second)
	if err := v.join(victim); err != nil {
		return nil, err
	}
	time.Sleep(10 * time.Second)
	for _, p := range v.hosts[victim].Network().Peers() {
		if attackers[string(p)] {
			er.VictimAttackerPeers++
		} else if _, ok := v.byPeer[string(p)]; ok {
			er.VictimHonestPeers++
		}
	}
	ids := s.schedule(v.ctx, v.rec, publishers, cfg.Messages, cfg.Rate, pub, cfg.N)
	er.Victim = s.measure(v.rec, ids, func(_ *msgRec, j int) bool { return j == victim }, cfg.N)
	er.Others = s.measure(v.rec, ids, func(_ *msgRec, j int) bool { return j != victim }, cfg.N)
	s.log("eclipse: victim connected to %d honest nodes and %d attackers; delivery to it %.4f (p99 %.0fms), to the rest %.4f",
		er.VictimHonestPeers, er.VictimAttackerPeers, er.Victim.Ratio, er.Victim.P99, er.Others.Ratio)
	// The attack is over: the attackers exit the registry (honest nodes
	// disconnect them and never dial them again) and drop their connections.
	// Left registered, answering handshakes and pings with no gossip behind
	// them, they would still be most of the registry for the phases after
	// this one: a node restarting under churn then found 2 honest peers among
	// 16 attackers, and the churn figure measured the eclipse again.
	stop()
	for k := range cfg.Eclipse {
		i := from + k
		v.members.Remove(v.ids[i].NodeID)
		for _, p := range v.hosts[i].Network().Peers() {
			_ = v.hosts[i].Network().ClosePeer(p)
		}
	}
	return er, nil
}
