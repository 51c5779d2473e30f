package p2p_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	ma "github.com/multiformats/go-multiaddr"

	"validator/p2p"
)

// acceptCounter is a connection gater that counts every inbound connection
// attempt and refuses it.
type acceptCounter struct{ n atomic.Int64 }

func (a *acceptCounter) InterceptPeerDial(peer.ID) bool               { return true }
func (a *acceptCounter) InterceptAddrDial(peer.ID, ma.Multiaddr) bool { return true }
func (a *acceptCounter) InterceptAccept(network.ConnMultiaddrs) bool {
	a.n.Add(1)
	return false
}
func (a *acceptCounter) InterceptSecured(network.Direction, peer.ID, network.ConnMultiaddrs) bool {
	return false
}
func (a *acceptCounter) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) {
	return false, 0
}

type foundPeers struct{ ch chan peer.AddrInfo }

func (f foundPeers) HandlePeerFound(ai peer.AddrInfo) {
	select {
	case f.ch <- ai:
	default:
	}
}

// TestMDNSFindsRegisteredPeersOnly: two registered nodes whose registry
// addresses nobody listens on, with no bootstrap peers and no heartbeats (and
// so nothing for the DHT to start from), find each other by mDNS, and again
// after one restarts on new ports; an unregistered host announcing itself
// under the same service is never dialled.
func TestMDNSFindsRegisteredPeersOnly(t *testing.T) {
	// The stranger: a plain libp2p host that counts connection attempts.
	var gate acceptCounter
	stranger, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"), libp2p.ConnectionGater(&gate))
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	seen := foundPeers{make(chan peer.AddrInfo, 16)}
	smd := mdns.NewMdnsService(stranger, p2p.MDNSServiceName("testnet"), seen)
	if err := smd.Start(); err != nil {
		t.Fatal(err)
	}
	defer smd.Close()

	n := newLNet(t)
	var nodes []*testNode
	for range 2 {
		tn := n.addNode(func(c *p2p.Config) {
			c.MDNS = true
			p2p.Silence(c)
		})
		// Registered with an address nobody listens on.
		if _, _, err := n.transactor(tn.operator).Register(context.Background(), tn.key, []string{"/ip4/127.0.0.1/tcp/1"}, "", stake); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, tn)
	}
	for _, tn := range nodes {
		n.start(tn, 2)
	}
	a, b := nodes[0], nodes[1]
	select {
	case <-seen.ch:
	case <-time.After(20 * time.Second):
		t.Skip("no mDNS announcement arrived within 20 s: multicast does not work on this machine's interfaces")
	}
	waitFor(t, "the nodes to find each other by mDNS", func() bool { return connected(a, b) })
	waitFor(t, "both nodes to skip the stranger", func() bool {
		return counter(t, a.reg, "validator_p2p_discovery_skipped_total", "mdns,unregistered") >= 1 &&
			counter(t, b.reg, "validator_p2p_discovery_skipped_total", "mdns,unregistered") >= 1
	})
	if counter(t, a.reg, "validator_p2p_dials_total", "mdns,ok")+counter(t, b.reg, "validator_p2p_dials_total", "mdns,ok") < 1 {
		t.Error("no successful mdns dial; the nodes met some other way")
	}
	time.Sleep(time.Second) // room for a wrong dial to arrive
	if got := gate.n.Load(); got != 0 {
		t.Errorf("the unregistered stranger saw %d connection attempts, want 0", got)
	}
	for i, tn := range nodes {
		if got := counter(t, tn.reg, "validator_p2p_connections_refused_total", "outbound"); got != 0 {
			t.Errorf("node %d: %v outbound connections refused by the gate; the stranger was dialled", i, got)
		}
	}

	// b restarts on new ports, which only its mDNS announcements carry.
	before := counter(t, a.reg, "validator_p2p_dials_total", "mdns,ok")
	b = n.restartNode(b, func(c *p2p.Config) {
		c.MDNS = true
		p2p.Silence(c)
	})
	n.start(b, 2)
	waitFor(t, "the restarted node and the other to find each other again by mDNS", func() bool { return connected(a, b) })
	if counter(t, a.reg, "validator_p2p_dials_total", "mdns,ok")-before+counter(t, b.reg, "validator_p2p_dials_total", "mdns,ok") < 1 {
		t.Error("no successful mdns dial after the restart; the nodes met some other way")
	}
}
