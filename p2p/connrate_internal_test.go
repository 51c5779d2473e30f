package p2p

import (
	"errors"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	ma "github.com/multiformats/go-multiaddr"
)

// TestOwnDialsAreNotRateLimited: the resource manager's connection rate limit
// (go-libp2p's default, one per 5 s per address after a burst of 16) counted
// this node's own dials, so a node that kept dialling a peer while it was down
// had its dials refused locally once the peer came back ("rate limit
// exceeded"; the fault harness's long form had pairs apart for minutes after
// a 60 s freeze). Outbound connections are never rate limited; inbound ones
// from one address are, beyond a burst, and loopback is exempt.
func TestOwnDialsAreNotRateLimited(t *testing.T) {
	refused := 0
	rm, err := newResourceManager(func() { refused++ }, rcmgr.NewFixedLimiter(rcmgr.InfiniteLimits))
	if err != nil {
		t.Fatal(err)
	}
	defer rm.Close()
	peerAddr := ma.StringCast("/ip4/10.9.8.7/tcp/9000")
	open := func(dir network.Direction, addr ma.Multiaddr, n int) (opened int, err error) {
		for range n {
			sc, err := rm.OpenConnection(dir, true, addr)
			if err != nil {
				return opened, err
			}
			sc.Done()
			opened++
		}
		return opened, nil
	}
	const many = 200 // far beyond any burst
	if n, err := open(network.DirOutbound, peerAddr, many); err != nil {
		t.Fatalf("outbound connection %d of %d to one address refused: %v", n+1, many, err)
	}
	n, err := open(network.DirInbound, peerAddr, many)
	if !errors.Is(err, errInboundRate) {
		t.Fatalf("%d inbound connections from one address in an instant, then %v; want the inbound rate limit to refuse beyond %d", n, err, inboundConnRate.Burst)
	}
	if refused != 1 {
		t.Errorf("%d refusals counted, want 1", refused)
	}
	if n != inboundConnRate.Burst {
		t.Errorf("%d inbound connections from one address allowed at once, want the burst of %d", n, inboundConnRate.Burst)
	}
	if n, err := open(network.DirInbound, ma.StringCast("/ip4/10.9.8.6/udp/9000/quic-v1"), 1); err != nil || n != 1 {
		t.Errorf("another address's first inbound connection: %d, %v", n, err)
	}
	if n, err := open(network.DirInbound, ma.StringCast("/ip4/127.0.0.1/tcp/9000"), many); err != nil {
		t.Errorf("loopback inbound connection %d of %d refused: %v", n+1, many, err)
	}
}
