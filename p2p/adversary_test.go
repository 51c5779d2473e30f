package p2p_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"validator/p2p"
)

// adversary is a registered node key driving a raw gossipsub that publishes
// whatever bytes it is told to, with no validation of its own.
type adversary struct {
	h        host.Host
	registry common.Address
	ps       *pubsub.PubSub
	topics   map[string]*pubsub.Topic
}

// connect dials a node and speaks the handshake like an honest dialer, so the
// node keeps the connection.
func (a *adversary) connect(t *testing.T, target *testNode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.h.Connect(ctx, peer.AddrInfo{ID: target.id.PeerID, Addrs: target.svc.Host().Addrs()}); err != nil {
		t.Fatal(err)
	}
	st, _ := rlp.EncodeToBytes(p2p.Status{Network: "testnet", ChainID: 1337, Registry: a.registry, Version: "evil"})
	rr := p2p.ReqResp{ID: p2p.StatusProtocol("testnet"), MaxRequest: 512, MaxResponse: 512, Timeout: 3 * time.Second}
	if _, err := rr.Request(ctx, a.h, target.id.PeerID, st); err != nil {
		t.Fatalf("adversary handshake: %v", err)
	}
}

func newAdversary(t *testing.T, n *lnet, tn *testNode, target *testNode, opts ...pubsub.Option) *adversary {
	t.Helper()
	h, err := libp2p.New(libp2p.Identity(tn.id.Priv), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ps, err := pubsub.NewGossipSub(ctx, h, append([]pubsub.Option{
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign), pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(func(m *pb.Message) string { return p2p.MessageID(m.Data) }),
		pubsub.WithMaxMessageSize(1 << 20)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	a := &adversary{h: h, registry: n.registry, ps: ps, topics: map[string]*pubsub.Topic{}}
	a.connect(t, target)
	for _, name := range p2p.StandardTopics {
		tp, err := ps.Join(p2p.TopicName("testnet", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tp.Subscribe(); err != nil { // be in the mesh
			t.Fatal(err)
		}
		a.topics[name] = tp
	}
	return a
}

func (a *adversary) publish(t *testing.T, topic string, data []byte) {
	t.Helper()
	if err := a.topics[topic].Publish(context.Background(), data); err != nil {
		t.Fatalf("adversary publish on %s: %v", topic, err)
	}
}

func seal(t *testing.T, key *ecdsa.PrivateKey, network, topic string, payload []byte, at time.Time) []byte {
	t.Helper()
	b, err := p2p.Seal(key, network, topic, payload, at)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mutate(t *testing.T, b []byte, f func(*p2p.Envelope)) []byte {
	t.Helper()
	e, err := p2p.DecodeEnvelope(b)
	if err != nil {
		t.Fatal(err)
	}
	f(e)
	out, err := p2p.EncodeEnvelope(e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBadMessagesNeverReachSubscribers publishes every class of bad message from
// a registered peer: each is refused with its reason, none reaches a
// subscriber, and the node keeps delivering valid messages.
func TestBadMessagesNeverReachSubscribers(t *testing.T) {
	n := newLNet(t)
	nodes := n.launch(2)
	target, honest := nodes[0], nodes[1]
	evilNode := n.addNode(nil) // registered, never started: its key drives the adversary
	n.register(evilNode)
	evilNode.stop() // its key now drives the adversary's host instead
	waitFor(t, "target view", func() bool { return len(target.view.Active()) == 3 })
	adv := newAdversary(t, n, evilNode, target)

	subs := map[string]*p2p.Subscription{}
	for _, topic := range []string{p2p.TopicJobs, p2p.TopicScheduling, p2p.TopicHeartbeats} {
		sub, err := target.svc.Subscribe(topic)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		subs[topic] = sub
	}
	time.Sleep(1500 * time.Millisecond) // meshes form

	evil := evilNode.key
	now := time.Now()
	valid := seal(t, evil, "testnet", p2p.TopicJobs, []byte("valid"), now)
	outsider := seedKey(t, "never registered")
	cases := []struct {
		reason, topic string
		data          []byte
	}{
		{p2p.ReasonOversized, p2p.TopicHeartbeats, seal(t, evil, "testnet", p2p.TopicHeartbeats, bytes.Repeat([]byte{1}, 5000), now)},
		{p2p.ReasonUndecodable, p2p.TopicJobs, []byte("\xff\x00 not rlp at all")},
		{p2p.ReasonWrongNetwork, p2p.TopicJobs, seal(t, evil, "othernet", p2p.TopicJobs, []byte("x"), now)},
		{p2p.ReasonWrongTopic, p2p.TopicJobs, seal(t, evil, "testnet", p2p.TopicStorage, []byte("x"), now)},
		{p2p.ReasonStale, p2p.TopicJobs, seal(t, evil, "testnet", p2p.TopicJobs, []byte("old"), now.Add(-time.Hour))},
		{p2p.ReasonFuture, p2p.TopicJobs, seal(t, evil, "testnet", p2p.TopicJobs, []byte("soon"), now.Add(time.Hour))},
		{p2p.ReasonUnknownSender, p2p.TopicJobs, seal(t, outsider, "testnet", p2p.TopicJobs, []byte("who"), now)},
		{p2p.ReasonBadSignature, p2p.TopicJobs, mutate(t, seal(t, evil, "testnet", p2p.TopicJobs, []byte("sig"), now), func(e *p2p.Envelope) { e.Signature[10] ^= 1 })},
		// Signed by the adversary, claiming to come from the honest node.
		{p2p.ReasonBadSignature, p2p.TopicJobs, mutate(t, seal(t, evil, "testnet", p2p.TopicJobs, []byte("forged"), now), func(e *p2p.Envelope) { e.Sender = honest.id.NodeID })},
		{p2p.ReasonNotCoordinator, p2p.TopicScheduling, seal(t, evil, "testnet", p2p.TopicScheduling, []byte("plan"), now)},
	}
	for _, c := range cases {
		adv.publish(t, c.topic, c.data)
	}
	adv.publish(t, p2p.TopicJobs, valid) // replays: TestReplayFromSecondPeerIsSeen

	want := map[string]float64{}
	for _, c := range cases {
		want[c.topic+"/"+c.reason]++
	}
	waitFor(t, "every bad message to be refused", func() bool {
		for k, v := range want {
			topic, reason, _ := cut(k)
			if counter2(t, target, topic, reason) < v {
				return false
			}
		}
		return true
	})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := subs[p2p.TopicJobs].Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Payload) != "valid" || m.Sender.ID != evilNode.id.NodeID {
		t.Fatalf("first delivered message = %q from %s, want the valid one", m.Payload, m.Sender.ID)
	}
	// Nothing else arrives: not the bad ones, not the replay.
	for topic, sub := range subs {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				break
			}
			if topic == p2p.TopicHeartbeats && m.Sender.ID == honest.id.NodeID {
				continue // honest heartbeats
			}
			t.Errorf("%s subscriber got %q from %s", topic, m.Payload, m.Sender.ID)
		}
		cancel()
	}
	// Still running: an honest message goes through.
	if err := honest.svc.Publish(context.Background(), p2p.TopicJobs, []byte("still alive")); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if m, err := subs[p2p.TopicJobs].Next(ctx2); err != nil || string(m.Payload) != "still alive" {
		t.Fatalf("after the attack: %q, %v", m.Payload, err)
	}
}

func cut(k string) (string, string, bool) {
	for i := range k {
		if k[i] == '/' {
			return k[:i], k[i+1:], true
		}
	}
	return k, "", false
}

// counter2 reads validator_p2p_messages_total{topic,result}.
func counter2(t *testing.T, tn *testNode, topic, result string) float64 {
	t.Helper()
	mfs, err := tn.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "validator_p2p_messages_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var tp, rs string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "topic":
					tp = l.GetValue()
				case "result":
					rs = l.GetValue()
				}
			}
			if tp == topic && rs == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
