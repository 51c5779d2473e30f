package p2p_test

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	"validator/p2p"
)

// obsLog collects a prober's observations per node ID.
type obsLog struct {
	mu  sync.Mutex
	obs map[common.Address][]p2p.Observation
}

func (l *obsLog) add(o p2p.Observation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.obs == nil {
		l.obs = map[common.Address][]p2p.Observation{}
	}
	l.obs[o.NodeID] = append(l.obs[o.NodeID], o)
}

func (l *obsLog) last(id common.Address) (p2p.Observation, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.obs[id]
	if len(o) == 0 {
		return p2p.Observation{}, 0
	}
	return o[len(o)-1], len(o)
}

// TestProberObservesPeers: connected peers are pinged with an RTT; a peer whose
// host is gone is reported unreachable.
func TestProberObservesPeers(t *testing.T) {
	n := newLNet(t)
	var log obsLog
	watcher := n.addNode(func(c *p2p.Config) {
		c.PingInterval = 200 * time.Millisecond
		c.PingTimeout = 500 * time.Millisecond
		c.DialTimeout = 500 * time.Millisecond
		c.OnObservation = log.add
	})
	n.register(watcher)
	peers := n.launch(2)
	n.start(watcher, 3)
	for _, p := range peers {
		waitFor(t, "an answered ping", func() bool {
			o, _ := log.last(p.id.NodeID)
			return o.RTT > 0 && !o.Miss && !o.Unreachable && o.PeerID == p.id.PeerID
		})
	}
	gone := peers[1]
	gone.stop()
	waitFor(t, "the stopped peer to be reported unreachable or missing", func() bool {
		o, _ := log.last(gone.id.NodeID)
		return o.Unreachable || o.Miss
	})
	// The live one keeps answering.
	_, before := log.last(peers[0].id.NodeID)
	waitFor(t, "more answered pings", func() bool {
		o, k := log.last(peers[0].id.NodeID)
		return k > before+2 && o.RTT > 0
	})
	if got := counter(t, watcher.reg, "validator_p2p_pings_total", "answered"); got == 0 {
		t.Fatal("answered pings not counted")
	}
}

// TestProbesNotMadeAreNotEvidence: a registered peer this node has banned
// itself (its handshake named another chain) is not dialled, so no probe of it
// is reported; the skip is counted instead. Before, each round reported it
// unreachable and lowered its score for what was this node's own refusal.
func TestProbesNotMadeAreNotEvidence(t *testing.T) {
	n := newLNet(t)
	var log obsLog
	watcher := n.addNode(func(c *p2p.Config) {
		c.PingInterval = 100 * time.Millisecond
		c.PingTimeout = 300 * time.Millisecond
		c.DialTimeout = 300 * time.Millisecond
		c.OnObservation = log.add
	})
	n.register(watcher)
	other := n.addNode(func(c *p2p.Config) { c.ChainID = 5 }) // registered here, configured for another chain
	n.register(other)
	n.start(watcher, 2)
	n.start(other, 2)
	waitFor(t, "the mismatched peer to be dropped", func() bool {
		return counter(t, watcher.reg, "validator_p2p_handshakes_total", "mismatch")+counter(t, watcher.reg, "validator_p2p_handshakes_total", "error") > 0
	})
	_, before := log.last(other.id.NodeID)
	waitFor(t, "probes of the banned peer to be skipped", func() bool {
		return counter(t, watcher.reg, "validator_p2p_probes_skipped_total", "banned") >= 5
	})
	log.mu.Lock()
	defer log.mu.Unlock()
	for i, o := range log.obs[other.id.NodeID] {
		if i > before && o.Unreachable { // one probe may have been under way at the ban
			t.Fatalf("a peer this node refuses itself was reported unreachable: %+v", o)
		}
	}
}

// TestUnresponsiveConnectionClosed: a connected peer that stops answering
// pings (its host hangs, a partition black-holes the link) has its
// connection closed after CloseAfterMisses misses, so the next probe dials
// afresh instead of waiting on the dead connection.
func TestUnresponsiveConnectionClosed(t *testing.T) {
	n := newLNet(t)
	var log obsLog
	watcher := n.addNode(func(c *p2p.Config) {
		c.PingInterval = 100 * time.Millisecond
		c.PingTimeout = 200 * time.Millisecond
		c.DialTimeout = 300 * time.Millisecond
		c.CloseAfterMisses = 2
		c.OnObservation = log.add
	})
	n.register(watcher)
	peers := n.launch(1)
	n.start(watcher, 2)
	target := peers[0]
	waitFor(t, "an answered ping", func() bool { o, _ := log.last(target.id.NodeID); return o.RTT > 0 })
	// The target's pings hang: it reads and never answers.
	target.svc.Host().SetStreamHandler(ping.ID, func(s network.Stream) { _, _ = io.Copy(io.Discard, s) })
	waitFor(t, "the unresponsive connection to be closed", func() bool {
		return counter(t, watcher.reg, "validator_p2p_unresponsive_closed_total", "") > 0
	})
	if o, _ := log.last(target.id.NodeID); !o.Miss && !o.Unreachable && o.RTT > 0 {
		t.Fatalf("last observation %+v, want misses before the close", o)
	}
}
