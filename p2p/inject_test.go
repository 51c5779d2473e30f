package p2p_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"

	"validator/p2p"
)

// TestInjectedHost runs two services on mocknet hosts (Config.Host, what the
// simulator does): they find each other from the registry, handshake and
// gossip; the gate still refuses an unregistered peer that connects (closed
// well before the handshake timeout would drop it); and Close leaves the
// host to its owner.
func TestInjectedHost(t *testing.T) {
	mn := mocknet.New()
	defer mn.Close()
	members := p2p.NewStaticMembership()
	var svcs []*p2p.Service
	for i := range 2 {
		id, err := p2p.NewIdentity(seedKey(t, fmt.Sprintf("inject-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := mn.AddPeer(id.Priv, ma.StringCast(fmt.Sprintf("/ip4/10.0.0.%d/tcp/4001", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		members.Put(p2p.Member{ID: id.NodeID, PeerID: id.PeerID, Addrs: h.Addrs()})
		cfg := testConfig(testNet)
		cfg.Host = h
		cfg.HandshakeTimeout = 5 * time.Second
		svc, err := p2p.New(id, members, cfg)
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, svc)
	}
	outsider, err := mn.GenPeer()
	if err != nil {
		t.Fatal(err)
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	a, b := svcs[0], svcs[1]
	defer b.Close()
	sub, err := b.Subscribe(p2p.TopicJobs)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range svcs {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	waitJoined(t, a, b, 20*time.Second)
	go func() {
		for ctx.Err() == nil {
			_ = a.Publish(ctx, p2p.TopicJobs, []byte("over mocknet"))
			time.Sleep(200 * time.Millisecond)
		}
	}()
	m, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("no message over the injected hosts: %v", err)
	}
	if string(m.Payload) != "over mocknet" || m.Sender.PeerID != a.ID().PeerID {
		t.Fatalf("got %q from %s", m.Payload, m.Sender.PeerID)
	}

	// The gate: an unregistered peer's connection is closed at once.
	if _, err := mn.ConnectPeers(outsider.ID(), a.ID().PeerID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for a.Host().Network().Connectedness(outsider.ID()) == network.Connected {
		if time.Now().After(deadline) {
			t.Fatal("an unregistered peer is still connected after 1 s (the handshake timeout is 5 s)")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Close detaches: the host stays up for its owner.
	conns := a.Host().Network().ConnsToPeer(b.ID().PeerID)
	if len(conns) == 0 {
		t.Fatal("a lost its connection to b")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if conns[0].IsClosed() {
		t.Fatal("the injected host was closed with the service")
	}
}
