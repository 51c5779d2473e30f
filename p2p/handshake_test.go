package p2p_test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"validator/chain/devchain"
	"validator/p2p"
)

// rawPeer is a bare libp2p host with a registered node key: it speaks the
// status handshake only when told to.
func rawPeer(t *testing.T, members *p2p.StaticMembership, seed string) (host.Host, p2p.Identity) {
	t.Helper()
	id, err := p2p.NewIdentity(seedKey(t, seed))
	if err != nil {
		t.Fatal(err)
	}
	h, err := libp2p.New(libp2p.Identity(id.Priv), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	members.Put(p2p.Member{ID: id.NodeID, PeerID: id.PeerID, Addrs: h.Addrs()})
	return h, id
}

func sendStatus(ctx context.Context, h host.Host, to peer.ID) error {
	st, _ := rlp.EncodeToBytes(p2p.Status{Network: "testnet", ChainID: devchain.ChainID})
	rr := p2p.ReqResp{ID: p2p.StatusProtocol("testnet"), MaxRequest: 512, MaxResponse: 512, Timeout: time.Second}
	_, err := rr.Request(ctx, h, to, st)
	return err
}

// TestStaleHandshakeTimerSparesReconnectedPeer: an inbound connection's
// no-handshake timer belongs to that connection. A peer that handshakes,
// disconnects and reconnects just before the old timer fires, and handshakes
// on the new connection within the timeout, keeps its new connection (the
// old timer used to find the new, not yet handshaked, entry and drop it).
func TestStaleHandshakeTimerSparesReconnectedPeer(t *testing.T) {
	const timeout = time.Second // the timer fires timeout + 1 s after a connection
	members := p2p.NewStaticMembership()
	target := newStaticNode(t, members, "timer-target", true, func(c *p2p.Config) { c.HandshakeTimeout = timeout })
	h, _ := rawPeer(t, members, "timer-peer")
	tid := target.svc.ID().PeerID
	ai := peer.AddrInfo{ID: tid, Addrs: target.svc.Host().Addrs()}
	ctx := context.Background()

	if err := h.Connect(ctx, ai); err != nil {
		t.Fatal(err)
	}
	first := time.Now() // the first connection's timer fires at first+2s
	if err := sendStatus(ctx, h, tid); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(first.Add(1200 * time.Millisecond)))
	_ = h.Network().ClosePeer(tid)
	waitFor(t, "the target to see the disconnection", func() bool {
		return len(target.svc.Host().Network().ConnsToPeer(h.ID())) == 0
	})
	if err := h.Connect(ctx, ai); err != nil {
		t.Fatal(err)
	}
	second := time.Now() // this connection's own timer fires at second+2s
	if d := second.Sub(first); d > 1800*time.Millisecond {
		t.Skipf("reconnected %s after the first connection: too late to catch the old timer", d)
	}
	// Handshake on the new connection after the old timer fired, well within
	// the new connection's own timeout.
	time.Sleep(time.Until(first.Add(2500 * time.Millisecond)))
	if len(h.Network().ConnsToPeer(tid)) == 0 {
		t.Fatal("the new connection was dropped by the old connection's timer")
	}
	if err := sendStatus(ctx, h, tid); err != nil {
		t.Fatalf("handshake on the new connection: %v", err)
	}
	time.Sleep(time.Until(second.Add(2500 * time.Millisecond)))
	if len(h.Network().ConnsToPeer(tid)) == 0 {
		t.Fatal("the handshaked new connection was dropped")
	}
	if got := counter(t, target.reg, "validator_p2p_handshakes_total", "timeout"); got != 0 {
		t.Fatalf("%v handshake timeouts", got)
	}
}
