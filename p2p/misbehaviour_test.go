package p2p_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"validator/p2p"
)

// TestFlooderCutOffByNeighbours: a registered node floods invalid messages to
// two honest neighbours. Each neighbour's gossipsub graylists it within
// seconds and from then on drops its RPCs unread (its rejections stop
// growing), while the honest peers' scores never go negative and their
// messages keep flowing.
func TestFlooderCutOffByNeighbours(t *testing.T) {
	n := newLNet(t)
	nodes := n.launch(3)
	a, b, c := nodes[0], nodes[1], nodes[2]
	evilNode := n.addNode(nil)
	n.register(evilNode)
	evilNode.stop() // its key now drives the adversary's host instead
	waitFor(t, "views", func() bool { return len(a.view.Active()) == 4 && len(b.view.Active()) == 4 })
	adv := newAdversary(t, n, evilNode, a)
	adv.connect(t, b)
	evil := evilNode.id.PeerID
	sub, err := c.svc.Subscribe(p2p.TopicJobs)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	time.Sleep(1500 * time.Millisecond) // meshes form

	ctx, stop := context.WithCancel(context.Background())
	var sent atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the flood: unique garbage, as fast as the adversary's pubsub takes it
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			if err := adv.topics[p2p.TopicJobs].Publish(ctx, fmt.Appendf(nil, "\xff junk %d", i)); err == nil {
				sent.Add(1)
			}
			if i%64 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	defer func() { stop(); wg.Wait() }()
	start := time.Now()

	rejected := func(tn *testNode) float64 { return counter2(t, tn, p2p.TopicJobs, p2p.ReasonUndecodable) }
	cutOff := map[*testNode]time.Duration{}
	deadline := time.Now().Add(20 * time.Second)
	for len(cutOff) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s of flooding (%d messages), graylisted by %d of 2 neighbours; scores %v / %v",
				sent.Load(), len(cutOff), a.svc.GossipScores()[evil], b.svc.GossipScores()[evil])
		}
		for _, tn := range []*testNode{a, b} {
			if _, done := cutOff[tn]; !done && tn.svc.GossipScores()[evil] < p2p.GraylistThreshold {
				cutOff[tn] = time.Since(start)
			}
			for _, honest := range nodes {
				if s, ok := tn.svc.GossipScores()[honest.id.PeerID]; ok && s < 0 {
					t.Fatalf("honest peer scored %v during the flood", s)
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("flooder graylisted after %s and %s (%d messages sent)", cutOff[a].Round(time.Millisecond), cutOff[b].Round(time.Millisecond), sent.Load())
	for tn, d := range cutOff {
		if d > 10*time.Second {
			t.Errorf("node graylisted the flooder after %s, want seconds", d)
		}
		_ = tn
	}

	// Cut off: the flood goes on, but nothing of it is validated any more.
	time.Sleep(300 * time.Millisecond) // RPCs already in flight
	beforeA, beforeB, sentBefore := rejected(a), rejected(b), sent.Load()
	time.Sleep(time.Second)
	if sent.Load()-sentBefore < 100 {
		t.Fatalf("the adversary stopped flooding (%d more messages)", sent.Load()-sentBefore)
	}
	if da, db := rejected(a)-beforeA, rejected(b)-beforeB; da > 0 || db > 0 {
		t.Errorf("still validating the flooder's messages after graylisting: %v and %v more rejections", da, db)
	}

	// The honest network is untouched: a message from a still reaches c.
	if err := a.svc.Publish(context.Background(), p2p.TopicJobs, []byte("honest")); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		m, err := sub.Next(rctx)
		if err != nil {
			t.Fatalf("honest message not delivered during the flood: %v", err)
		}
		if bytes.Equal(m.Payload, []byte("honest")) {
			break
		}
	}
}

// sendTracer records the gossip messages a pubsub sends, by destination.
type sendTracer struct {
	mu   sync.Mutex
	sent map[peer.ID][][]byte
}

func (s *sendTracer) SendRPC(rpc *pubsub.RPC, p peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range rpc.GetPublish() {
		s.sent[p] = append(s.sent[p], m.GetData())
	}
}

func (s *sendTracer) sentTo(p peer.ID, data []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.sent[p] {
		if bytes.Equal(d, data) {
			return true
		}
	}
	return false
}

func (*sendTracer) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (*sendTracer) OnClosedOutboundStream(peer.ID)           {}
func (*sendTracer) Join(string)                              {}
func (*sendTracer) Leave(string)                             {}
func (*sendTracer) Graft(peer.ID, string)                    {}
func (*sendTracer) Prune(peer.ID, string)                    {}
func (*sendTracer) ValidateMessage(*pubsub.Message)          {}
func (*sendTracer) DeliverMessage(*pubsub.Message)           {}
func (*sendTracer) RejectMessage(*pubsub.Message, string)    {}
func (*sendTracer) DuplicateMessage(*pubsub.Message)         {}
func (*sendTracer) ThrottlePeer(peer.ID)                     {}
func (*sendTracer) RecvRPC(*pubsub.RPC)                      {}
func (*sendTracer) DropRPC(*pubsub.RPC, peer.ID)             {}
func (*sendTracer) UndeliverableMessage(*pubsub.Message)     {}

// TestReplayFromSecondPeerIsSeen: a valid envelope that reached the target
// from one peer is replayed, byte for byte, by a second registered peer whose
// own pubsub has never seen it (so it really sends it). The target drops the
// copy as already seen: one delivery, one validation.
func TestReplayFromSecondPeerIsSeen(t *testing.T) {
	n := newLNet(t)
	nodes := n.launch(1)
	target := nodes[0]
	first, second := n.addNode(nil), n.addNode(nil)
	n.register(first)
	n.register(second)
	first.stop()
	second.stop()
	waitFor(t, "target view", func() bool { return len(target.view.Active()) == 3 })
	sub, err := target.svc.Subscribe(p2p.TopicJobs)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	advA := newAdversary(t, n, first, target)
	tracer := &sendTracer{sent: map[peer.ID][][]byte{}}
	advB := newAdversary(t, n, second, target, pubsub.WithRawTracer(tracer))
	time.Sleep(1500 * time.Millisecond) // meshes form

	okBefore := counter2(t, target, p2p.TopicJobs, p2p.ReasonOK)
	env := seal(t, first.key, "testnet", p2p.TopicJobs, []byte("once"), time.Now())
	advA.publish(t, p2p.TopicJobs, env)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if m, err := sub.Next(ctx); err != nil || string(m.Payload) != "once" {
		t.Fatalf("first copy: %q, %v", m.Payload, err)
	}

	advB.publish(t, p2p.TopicJobs, env) // the replay, from another peer
	waitFor(t, "the replay to be sent to the target", func() bool { return tracer.sentTo(target.id.PeerID, env) })
	ctx2, cancel2 := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel2()
	if m, err := sub.Next(ctx2); err == nil {
		t.Fatalf("replay delivered again: %q from %s", m.Payload, m.From)
	}
	if got := counter2(t, target, p2p.TopicJobs, p2p.ReasonOK) - okBefore; got != 1 {
		t.Fatalf("envelope validated %v times, want once", got)
	}
}

// TestOwnPublishesPacedToPeerRate: a node never publishes faster than its
// peers validate from one peer; a publish that cannot get under the bound in
// time is refused as busy rather than sent to be ignored.
func TestOwnPublishesPacedToPeerRate(t *testing.T) {
	n := newLNet(t)
	tn := n.addNode(func(c *p2p.Config) { c.PeerMessageRate, c.PeerMessageBurst = 5, 5 })
	n.register(tn)
	n.start(tn, 1)
	start := time.Now()
	for i := range 8 { // 5 at once, then one per 200 ms
		if err := tn.svc.Publish(context.Background(), p2p.TopicJobs, fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Fatalf("8 publishes at 5/s with a burst of 5 took %s, want at least 500 ms (3 refills of 200 ms)", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tn.svc.Publish(ctx, p2p.TopicJobs, []byte("late")); !errors.Is(err, p2p.ErrBusy) {
		t.Fatalf("publish over the rate with a 50 ms deadline: %v, want ErrBusy", err)
	}
}
