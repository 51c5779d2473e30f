package p2p_test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"

	"validator/p2p"
)

func discv5On(boot ...string) func(*p2p.Config) {
	return func(c *p2p.Config) {
		c.Discv5, c.Discv5Port, c.Discv5Bootnodes = true, -1, boot
	}
}

// registerStale registers tn with an address nobody listens on.
func (n *lnet) registerStale(tn *testNode) {
	n.t.Helper()
	if _, _, err := n.transactor(tn.operator).Register(context.Background(), tn.key, []string{"/ip4/127.0.0.1/tcp/1"}, "", stake); err != nil {
		n.t.Fatal(err)
	}
}

// TestDiscv5ENRIsTheNodeKey: the ENR is signed by the node key and carries
// the network entry and the host's ports.
func TestDiscv5ENRIsTheNodeKey(t *testing.T) {
	n := newLNet(t)
	a := n.addNode(discv5On())
	n.register(a)
	n.start(a, 1)
	rec, err := enode.Parse(enode.ValidSchemes, a.svc.ENR())
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID() != enode.PubkeyToIDV4(&a.key.PublicKey) {
		t.Errorf("ENR node ID %s is not the node key's", rec.ID())
	}
	var e p2p.NetworkEntry
	if err := rec.Load(&e); err != nil {
		t.Fatal(err)
	}
	if want := (p2p.NetworkEntry{Network: "testnet", ChainID: 1337, Registry: n.registry}); e != want {
		t.Errorf("network entry %+v, want %+v", e, want)
	}
	if rec.TCP() == 0 {
		t.Error("ENR has no TCP port")
	}
	if _, ok := rec.QUICEndpoint(); !ok {
		t.Error("ENR has no QUIC endpoint")
	}
}

// TestDiscv5FindsStaleNode: two nodes whose registry addresses are stale,
// that send no heartbeats and never ask the DHT, find each other through
// discv5, starting from a third validator's ENR as bootnode; and again after
// one of them restarts on new ports, which only its new ENR announces.
func TestDiscv5FindsStaleNode(t *testing.T) {
	n := newLNet(t)
	boot := n.addNode(discv5On())
	n.register(boot)
	n.start(boot, 1)
	enr := boot.svc.ENR()
	hidden := func(c *p2p.Config) {
		discv5On(enr)(c)
		p2p.Silence(c)
		p2p.NoDHTLookup(c)
		c.DHTRefresh = -1
	}
	h := n.addNode(hidden)
	n.registerStale(h)
	j := n.addNode(hidden)
	n.registerStale(j)
	n.start(h, 3)
	n.start(j, 3)
	waitFor(t, "the stale nodes to find each other through discv5", func() bool { return connected(h, j) })
	if counter(t, h.reg, "validator_p2p_dials_total", "discv5,ok")+counter(t, j.reg, "validator_p2p_dials_total", "discv5,ok") < 1 {
		t.Error("no successful discv5 dial; the nodes met some other way")
	}

	before := counter(t, h.reg, "validator_p2p_dials_total", "discv5,ok")
	j = n.restartNode(j, hidden)
	n.start(j, 3)
	waitFor(t, "the restarted node and the other to find each other again through discv5", func() bool { return connected(h, j) })
	if counter(t, h.reg, "validator_p2p_dials_total", "discv5,ok")-before+counter(t, j.reg, "validator_p2p_dials_total", "discv5,ok") < 1 {
		t.Error("no successful discv5 dial after the restart; the nodes met some other way")
	}
}

// TestDiscv5DialsOnlyRegisteredENRsOfItsNetwork: a node sees the ENR of a
// registered key of another network and of an unregistered key of its own
// network in discv5, and dials neither.
func TestDiscv5DialsOnlyRegisteredENRsOfItsNetwork(t *testing.T) {
	n := newLNet(t)
	// Registry addresses stale, no heartbeats, no DHT: a connection between a
	// and other could only come from discv5.
	quiet := func(c *p2p.Config) {
		p2p.Silence(c)
		p2p.NoDHTLookup(c)
		c.DHTRefresh = -1
	}
	a := n.addNode(func(c *p2p.Config) {
		discv5On()(c)
		quiet(c)
	})
	n.registerStale(a)
	n.start(a, 1)
	enr := a.svc.ENR()
	other := n.addNode(func(c *p2p.Config) {
		discv5On(enr)(c)
		quiet(c)
		c.Network, c.Validation.Network = "othernet", "othernet"
	})
	n.registerStale(other)
	stranger := n.addNode(discv5On(enr))
	n.start(other, 2)
	n.start(stranger, 2)
	waitFor(t, "the node to skip the unregistered ENR", func() bool {
		return counter(t, a.reg, "validator_p2p_discovery_skipped_total", "discv5,unregistered") >= 1
	})
	// Then give a wrong dial time to happen, on either side: each node sees
	// the other's ENR, of another network.
	wrong := func() float64 {
		var n float64
		for _, tn := range []*testNode{a, other} {
			n += counter(t, tn.reg, "validator_p2p_dials_total", "discv5,ok") + counter(t, tn.reg, "validator_p2p_dials_total", "discv5,failed") +
				counter(t, tn.reg, "validator_p2p_handshakes_total", "mismatch")
		}
		return n
	}
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end) && wrong() == 0; time.Sleep(50 * time.Millisecond) {
	}
	if got := wrong(); got != 0 {
		t.Errorf("%v discv5 dials or handshake mismatches between the node and the other network's node, want 0", got)
	}
	if counter(t, a.reg, "validator_p2p_discovery_skipped_total", "discv5,other_network") < 1 {
		t.Error("the ENR of the other network was not counted as skipped")
	}
	if got := counter(t, a.reg, "validator_p2p_connections_refused_total", "outbound"); got != 0 {
		t.Errorf("%v outbound connections refused by the gate: something unregistered was dialled", got)
	}
}
