package p2p

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
)

func internalService(t *testing.T, members *StaticMembership, seed string) *Service {
	t.Helper()
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		t.Fatal(err)
	}
	id, err := NewIdentity(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig("testnet")
	cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.HandshakeTimeout = 2 * time.Second
	cfg.Registerer = prometheus.NewRegistry()
	s, err := New(id, members, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	members.Put(Member{ID: id.NodeID, PeerID: id.PeerID, Addrs: s.host.Addrs()})
	return s
}

func (s *Service) handshakedWith(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.peers[p]
	return ok && st.handshaked
}

func (s *Service) hasEntry(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.peers[p]
	return ok
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNewConnectionAfterStaleEntryHandshakes: libp2p reports a closed
// connection asynchronously, so a restarted peer's new connection can arrive
// while the entry of its old one is still there, handshaked. The new
// connection must be handshaked afresh; it used to be taken for the old one,
// the dialer skipped the handshake, and the peer dropped it for silence.
func TestNewConnectionAfterStaleEntryHandshakes(t *testing.T) {
	members := NewStaticMembership()
	target := internalService(t, members, "stale-target")
	p := internalService(t, members, "stale-peer")
	ai := peer.AddrInfo{ID: p.id.PeerID, Addrs: p.host.Addrs()}
	ctx := context.Background()
	if err := target.host.Connect(ctx, ai); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the first handshake", 10*time.Second, func() bool {
		return target.handshakedWith(p.id.PeerID) && p.handshakedWith(target.id.PeerID)
	})
	_ = target.host.Network().ClosePeer(p.id.PeerID)
	waitUntil(t, "both sides to forget the connection", 10*time.Second, func() bool {
		return !target.hasEntry(p.id.PeerID) && !p.hasEntry(target.id.PeerID)
	})
	// The old connection's Disconnected has not run yet, as far as the target
	// can tell: its entry is still there.
	target.mu.Lock()
	target.peers[p.id.PeerID] = &peerState{since: time.Now(), handshaked: true}
	target.mu.Unlock()

	if err := target.host.Connect(ctx, ai); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the peer to get the target's handshake on the new connection", 2*time.Second, func() bool {
		return p.handshakedWith(target.id.PeerID)
	})
}

// TestMismatchDropEndsWithClose: the listener answers a peer of another
// network with its own status and drops the peer shortly after. The goroutine
// that waits to drop it is the service's: Close ends it and waits for it. It
// was a bare go statement that outlived Close.
func TestMismatchDropEndsWithClose(t *testing.T) {
	s := internalService(t, NewStaticMembership(), "drop-owner")
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewIdentity(key)
	if err != nil {
		t.Fatal(err)
	}
	req, err := rlp.EncodeToBytes(Status{Network: "othernet", ChainID: s.cfg.ChainID, Registry: s.cfg.Registry})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.serveStatus(context.Background(), other.PeerID, req)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := DecodeStatus(resp); err != nil || st.Network != s.cfg.Network {
		t.Fatalf("answer to another network's status: %+v, %v; want our status", st, err)
	}
	const dropper = "(*Service).serveStatus.func"
	waitUntil(t, "a goroutine waiting to drop the peer of another network", 50*time.Millisecond, func() bool {
		return bytes.Contains(allStacks(), []byte(dropper))
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if stacks := allStacks(); bytes.Contains(stacks, []byte(dropper)) {
		t.Fatalf("the delayed drop outlived Close:\n%s", stacks)
	}
}

// allStacks is the stack trace of every goroutine.
func allStacks() []byte {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
