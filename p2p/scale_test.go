package p2p_test

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"

	"validator/p2p"
)

// mockNode is a service on a mocknet host, for tests that run in a synctest
// bubble (virtual time: the defects below take many probe and heartbeat
// intervals to show).
type mockNode struct {
	svc  *p2p.Service
	host host.Host
	reg  *prometheus.Registry
}

// newMocknet is a mocknet closed after the services built on it.
func newMocknet(t *testing.T) mocknet.Mocknet {
	mn := mocknet.New()
	t.Cleanup(func() { _ = mn.Close() })
	return mn
}

// link links two nodes with a 5 ms one-way delay (a ping over a link without
// delay takes no virtual time, and a zero RTT is a miss).
func link(t *testing.T, mn mocknet.Mocknet, a, b *mockNode) {
	l, err := mn.LinkPeers(a.host.ID(), b.host.ID())
	if err != nil {
		t.Fatal(err)
	}
	l.SetOptions(mocknet.LinkOptions{Latency: 5 * time.Millisecond})
}

func linkAll(t *testing.T, mn mocknet.Mocknet, nodes []*mockNode) {
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			link(t, mn, nodes[i], nodes[j])
		}
	}
}

// mockNet builds n services over one mocknet, every one a member; edit
// adjusts node i's config. Nothing is linked or started.
func mockNet(t *testing.T, mn mocknet.Mocknet, members *p2p.StaticMembership, n int, edit func(i int, c *p2p.Config)) []*mockNode {
	t.Helper()
	var out []*mockNode
	for i := range n {
		id, err := p2p.NewIdentity(seedKey(t, fmt.Sprintf("%s-%d", t.Name(), i)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := mn.AddPeer(id.Priv, ma.StringCast(fmt.Sprintf("/ip4/10.0.1.%d/tcp/4001", len(members.Members())+1)))
		if err != nil {
			t.Fatal(err)
		}
		members.Put(p2p.Member{ID: id.NodeID, PeerID: id.PeerID, Addrs: h.Addrs()})
		cfg := testConfig(testNet)
		cfg.Host = h
		reg := prometheus.NewRegistry()
		cfg.Registerer = reg
		if edit != nil {
			edit(i, &cfg)
		}
		svc, err := p2p.New(id, members, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.Close() })
		out = append(out, &mockNode{svc: svc, host: h, reg: reg})
	}
	return out
}

// TestNoHeartbeatForEachNewcomer: a node that already has peers does not
// publish a heartbeat each time a peer joins. Every heartbeat goes to the
// whole network, so one per join anywhere was N heartbeats per connection
// made: at 40 simulated nodes, four times the heartbeats the interval gives,
// and the first cost of the simulator's profile. A node whose heartbeat
// reached nobody still beats as soon as a peer joins.
func TestNoHeartbeatForEachNewcomer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := newMocknet(t)
		members := p2p.NewStaticMembership()
		nodes := mockNet(t, mn, members, 3, func(_ int, c *p2p.Config) {
			c.HeartbeatInterval = time.Hour // only the join rule beats in this test
			c.AddrExpiry = 2 * time.Hour
		})
		a, b, c := nodes[0], nodes[1], nodes[2]
		link(t, mn, a, b)
		for _, n := range []*mockNode{a, b} {
			if err := n.svc.Start(); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(5 * time.Second)
		if _, ok := b.svc.AddrBook().Get(a.svc.ID().PeerID); !ok {
			t.Fatal("b never heard a's first heartbeat (a had no peer before b)")
		}
		beats := func(n *mockNode) float64 {
			return counter(t, n.reg, "validator_p2p_published_total", p2p.TopicHeartbeats)
		}
		before := beats(a)

		// c joins, linked to a only.
		link(t, mn, c, a)
		if err := c.svc.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		if a.host.Network().Connectedness(c.host.ID()) != network.Connected {
			t.Fatal("c never connected to a")
		}
		if got := beats(a); got != before {
			t.Errorf("a published %v heartbeats when c joined; a node with peers should beat only on its interval", got-before)
		}
		if _, ok := b.svc.AddrBook().Get(c.svc.ID().PeerID); !ok {
			t.Error("b never heard c's heartbeat: a newcomer whose heartbeat reached nobody must beat when a peer joins")
		}
	})
}

// TestProbeConnectionsDoNotAccumulate: a connection dialled only to probe an
// unconnected member is closed after the probe once the node has its target
// of peers. Kept, every probe round added up to 16 connections per node until
// the connection manager's 30 s grace ran out, and at 100 simulated nodes
// the graph was nearly complete.
func TestProbeConnectionsDoNotAccumulate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 8
		mn := newMocknet(t)
		members := p2p.NewStaticMembership()
		var mu sync.Mutex
		answered := map[int]map[string]bool{}
		nodes := mockNet(t, mn, members, n, func(i int, c *p2p.Config) {
			c.TargetPeers, c.MaxConnections = 2, 4
			c.DHTRefresh = time.Hour // its start-up walk connects everyone once
			c.PingInterval = time.Second
			c.PingTimeout = 500 * time.Millisecond
			c.OnObservation = func(o p2p.Observation) {
				if o.RTT > 0 {
					mu.Lock()
					if answered[i] == nil {
						answered[i] = map[string]bool{}
					}
					answered[i][o.PeerID.String()] = true
					mu.Unlock()
				}
			}
		})
		linkAll(t, mn, nodes)
		for _, nd := range nodes {
			if err := nd.svc.Start(); err != nil {
				t.Fatal(err)
			}
		}
		// The DHT's start-up walk connects every pair; past the connection
		// manager's 30 s grace period it trims each node back towards the
		// target. Then ten probe rounds, each dialling every unconnected
		// member: kept, their connections would make the graph complete again.
		time.Sleep(45 * time.Second)
		mu.Lock()
		clear(answered)
		mu.Unlock()
		time.Sleep(10 * time.Second)
		edges := 0
		for _, nd := range nodes {
			edges += len(nd.host.Network().Peers())
		}
		edges /= 2
		mu.Lock()
		defer mu.Unlock()
		for i := range n {
			if len(answered[i]) != n-1 {
				t.Errorf("node %d had answers from %d of %d members: every member must still be probed", i, len(answered[i]), n-1)
			}
		}
		closed := 0.0
		for _, nd := range nodes {
			closed += counter(t, nd.reg, "validator_p2p_probe_connections_closed_total", "")
		}
		t.Logf("%d of %d possible connections after 10 probe rounds; %v probe connections closed", edges, n*(n-1)/2, closed)
		if edges >= n*(n-1)/2 || closed == 0 {
			t.Errorf("%d of %d possible connections, %v closed after a probe: probe connections accumulate", edges, n*(n-1)/2, closed)
		}
	})
}

// TestHeartbeatIntervalGrowsWithTheNetwork: the whole network sends at most
// about ten heartbeats a second, however many members: each node beats every
// heartbeat_interval or members × 100 ms, whichever is longer. At a fixed
// 10 s, 1,000 nodes made every node check 100 heartbeat signatures a second
// (10,000 nodes: 1,000) for addresses that rarely change.
func TestHeartbeatIntervalGrowsWithTheNetwork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 20 // 20 × 100 ms = 2 s, against the configured 300 ms
		mn := newMocknet(t)
		members := p2p.NewStaticMembership()
		nodes := mockNet(t, mn, members, n, nil)
		linkAll(t, mn, nodes)
		for _, nd := range nodes {
			if err := nd.svc.Start(); err != nil {
				t.Fatal(err)
			}
		}
		const run = 30 * time.Second
		time.Sleep(run)
		total := 0.0
		for _, nd := range nodes {
			total += counter(t, nd.reg, "validator_p2p_published_total", p2p.TopicHeartbeats)
		}
		perNode := total / n
		// Every 2 s ± 10 %, plus the first beat and its follow-up: about 17.
		t.Logf("%.1f heartbeats per node in %s (configured interval %s)", perNode, run, testConfig(testNet).HeartbeatInterval)
		if perNode > 20 || perNode < 12 {
			t.Errorf("%.1f heartbeats per node in %s; want about %v (every %d × 100 ms)", perNode, run, run/(n*100*time.Millisecond), n)
		}
		// The address book keeps entries across the longer interval.
		for i, nd := range nodes {
			if got := len(nd.svc.AddrBook().All()); got != n-1 {
				t.Errorf("node %d: %d address-book entries, want %d", i, got, n-1)
			}
		}
	})
}
