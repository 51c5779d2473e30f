package p2p_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/host/peerstore/pstoremem"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"
	msmux "github.com/multiformats/go-multistream"
	"github.com/prometheus/client_golang/prometheus"

	"validator/p2p"
)

// TestGossipSurvivesDuplicateConnectionClose: two connected nodes with two
// connections between them, each node's gossip stream on a different one.
// When the connection carrying a's stream closes, go-libp2p-pubsub (v0.17)
// takes the end of a's outbound stream for a dead peer while b is still
// connected: a forgets b's subscriptions (handleDeadPeers ->
// clearPeerFromTopicsState) and opens a new stream with its own hello, so b
// learns a's subscriptions again; but b's stream to a lives on, and b never
// sends its hello again. a then publishes to nobody for as long as the two
// stay connected (the fault harness saw 66 deliveries lost between connected
// validators after a node frozen 15 s came back to find its old connections
// closed and new ones up). Gossip from a must reach b again within seconds.
func TestGossipSurvivesDuplicateConnectionClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := newMocknet(t)
		members := p2p.NewStaticMembership()
		a := newDupNode(t, mn, members, 0)
		b := newDupNode(t, mn, members, 1)
		link(t, mn, a.mockNode, b.mockNode)
		subB, err := b.svc.Subscribe(p2p.TopicJobs)
		if err != nil {
			t.Fatal(err)
		}
		subA, err := a.svc.Subscribe(p2p.TopicSync)
		if err != nil {
			t.Fatal(err)
		}

		// Two connections: b dials a (c1, inbound at a) while a's dial is held
		// after its check for an existing connection (mocknet reuses one),
		// then a's dial completes (c2, inbound at b).
		held := a.ps.holdNextDial()
		dialed := make(chan error, 1)
		go func() {
			_, err := a.host.Network().DialPeer(context.Background(), b.host.ID())
			dialed <- err
		}()
		<-held.entered
		if _, err := b.host.Network().DialPeer(context.Background(), a.host.ID()); err != nil {
			t.Fatal(err)
		}
		close(held.release)
		if err := <-dialed; err != nil {
			t.Fatal(err)
		}
		if n := len(a.host.Network().ConnsToPeer(b.host.ID())); n != 2 {
			t.Fatalf("%d connections between a and b, want 2", n)
		}
		for _, n := range []*dupNode{a, b} {
			if err := n.svc.Start(); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(3 * time.Second)
		ca, cb := gossipConn(a.host, b.host.ID()), gossipConn(b.host, a.host.ID())
		if ca == nil || cb == nil || ca.Stat().Direction != network.DirInbound || cb.Stat().Direction != network.DirInbound {
			t.Fatalf("gossip streams on %v (a) and %v (b), want each on the connection the other dialled", ca, cb)
		}

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		toB, toA := receive(ctx, subB), receive(ctx, subA)
		publish := func(from *dupNode, topic string, i int) {
			if err := from.svc.Publish(context.Background(), topic, fmt.Appendf(nil, "%d", i)); err != nil {
				t.Errorf("publish %d: %v", i, err)
			}
		}
		publish(a, p2p.TopicJobs, -1)
		publish(b, p2p.TopicSync, -1)
		time.Sleep(time.Second)
		if _, ok := toB.at(-1); !ok {
			t.Fatal("b never received a's message before the close")
		}
		if _, ok := toA.at(-1); !ok {
			t.Fatal("a never received b's message before the close")
		}

		// The connection carrying a's gossip stream closes; c2 stays up.
		closedAt := time.Now()
		_ = ca.Close()
		const n, every = 60, 250 * time.Millisecond // 15 s of publishes
		connected := true
		for i := range n {
			publish(a, p2p.TopicJobs, i)
			publish(b, p2p.TopicSync, i)
			time.Sleep(every)
			connected = connected && a.host.Network().Connectedness(b.host.ID()) == network.Connected
		}
		time.Sleep(time.Second)
		restarts := func(n *dupNode) float64 { return counter(t, n.reg, "validator_p2p_gossip_restarts_total", "") }
		t.Logf("connected at every sample: %v; %d connection(s) now; gossip restarts: a %v, b %v",
			connected, len(a.host.Network().ConnsToPeer(b.host.ID())), restarts(a), restarts(b))
		if r := restarts(a) + restarts(b); r > 2 {
			t.Errorf("%v gossip restarts for one connection closed: each restart must not cause another", r)
		}
		for _, d := range []struct {
			name string
			r    *received
		}{{"a to b", toB}, {"b to a", toA}} {
			var lost []int
			got, first := 0, time.Duration(-1)
			for i := range n {
				at, ok := d.r.at(i)
				if ok {
					got++
					if first < 0 {
						first = at.Sub(closedAt)
					}
				} else if time.Duration(i)*every >= 3*time.Second {
					lost = append(lost, i)
				}
			}
			t.Logf("%s after the close: %d of %d messages delivered, the first %v after it", d.name, got, n, first)
			if len(lost) > 0 {
				t.Errorf("%s: %d messages published 3 s or more after the close never arrived (%v)", d.name, len(lost), lost)
			}
		}
	})
}

// received records when each message of a subscription arrived, by payload.
type received struct {
	mu    sync.Mutex
	times map[string]time.Time
}

func receive(ctx context.Context, sub *p2p.Subscription) *received {
	r := &received{times: map[string]time.Time{}}
	go func() {
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			r.mu.Lock()
			r.times[string(m.Payload)] = time.Now()
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *received) at(i int) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.times[fmt.Sprint(i)]
	return at, ok
}

// dupNode is a mockNode whose peerstore can hold a dial (holdDial) and whose
// host opens gossip streams on the connection the peer dialled
// (inboundGossipHost), so a test can make two connections between two nodes
// and know which one carries each node's gossip stream.
type dupNode struct {
	*mockNode
	ps *holdDialPeerstore
}

func newDupNode(t *testing.T, mn mocknet.Mocknet, members *p2p.StaticMembership, i int) *dupNode {
	t.Helper()
	id, err := p2p.NewIdentity(seedKey(t, fmt.Sprintf("%s-%d", t.Name(), i)))
	if err != nil {
		t.Fatal(err)
	}
	mem, err := pstoremem.NewPeerstore()
	if err != nil {
		t.Fatal(err)
	}
	ps := &holdDialPeerstore{Peerstore: mem, self: id.PeerID}
	ps.AddAddr(id.PeerID, ma.StringCast(fmt.Sprintf("/ip4/10.0.2.%d/tcp/4001", i+1)), peerstore.PermanentAddrTTL)
	if err := ps.AddPrivKey(id.PeerID, id.Priv); err != nil {
		t.Fatal(err)
	}
	if err := ps.AddPubKey(id.PeerID, id.Priv.GetPublic()); err != nil {
		t.Fatal(err)
	}
	h, err := mn.AddPeerWithPeerstore(id.PeerID, ps)
	if err != nil {
		t.Fatal(err)
	}
	members.Put(p2p.Member{ID: id.NodeID, PeerID: id.PeerID, Addrs: h.Addrs()})
	cfg := testConfig(testNet)
	cfg.Host = inboundGossipHost{h}
	cfg.DHTRefresh = time.Hour
	reg := prometheus.NewRegistry()
	cfg.Registerer = reg
	svc, err := p2p.New(id, members, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	return &dupNode{mockNode: &mockNode{svc: svc, host: h, reg: reg}, ps: ps}
}

// holdDialPeerstore holds one dial of its node after mocknet has checked
// that no connection exists (mocknet reuses an existing connection, so a
// second one needs a dial in flight while the first is made): mocknet reads
// the dialler's private key once the check is past.
type holdDialPeerstore struct {
	peerstore.Peerstore
	self peer.ID

	mu   sync.Mutex
	hold *dialHold
}

type dialHold struct{ entered, release chan struct{} }

func (p *holdDialPeerstore) holdNextDial() *dialHold {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = &dialHold{entered: make(chan struct{}), release: make(chan struct{})}
	return p.hold
}

func (p *holdDialPeerstore) PrivKey(id peer.ID) ic.PrivKey {
	if id == p.self {
		p.mu.Lock()
		h := p.hold
		p.hold = nil
		p.mu.Unlock()
		if h != nil {
			close(h.entered)
			<-h.release
		}
	}
	return p.Peerstore.PrivKey(id)
}

// inboundGossipHost opens gossip streams on a connection the peer dialled
// when there is one (mocknet otherwise picks a connection at random).
type inboundGossipHost struct{ host.Host }

func (h inboundGossipHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	if len(pids) == 0 || !strings.HasPrefix(string(pids[0]), "/meshsub/") {
		return h.Host.NewStream(ctx, p, pids...)
	}
	var c network.Conn
	for _, o := range h.Network().ConnsToPeer(p) {
		if o.Stat().Direction == network.DirInbound && !o.IsClosed() {
			c = o
		}
	}
	if c == nil {
		return h.Host.NewStream(ctx, p, pids...)
	}
	s, err := c.NewStream(ctx)
	if err != nil {
		return nil, err
	}
	proto, err := msmux.SelectOneOf(pids, s)
	if err == nil {
		err = s.SetProtocol(proto)
	}
	if err != nil {
		_ = s.Reset()
		return nil, err
	}
	return s, nil
}

// gossipConn is the connection carrying h's outbound gossip stream to p.
func gossipConn(h host.Host, p peer.ID) network.Conn {
	for _, c := range h.Network().ConnsToPeer(p) {
		for _, s := range c.GetStreams() {
			if s.Stat().Direction == network.DirOutbound && strings.HasPrefix(string(s.Protocol()), "/meshsub/") {
				return c
			}
		}
	}
	return nil
}
