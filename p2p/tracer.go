package p2p

import (
	"context"
	"errors"
	"sync"
	"time"
	"unsafe"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrBusy: the outbound queues of this node's gossip peers are full, so a
// publish now would be dropped; retry after a moment.
var ErrBusy = errors.New("outbound gossip queues are full")

// Gossip queue sizes. Each limit that can drop a message is counted by
// validator_p2p_gossip_dropped_total under its own "where" label; see
// docs/architecture.md, "Drops and back-pressure".
const (
	// peerOutboundQueue is pubsub's per-peer queue of RPCs waiting for the
	// wire (pubsub.WithPeerOutboundQueueSize). A full queue drops the RPC.
	peerOutboundQueue = 256
	// ownPublishHighWater is how full a peer's outbound queue may be for
	// Publish to add one of our own messages; the rest of the queue is kept
	// for messages relayed from others and control messages.
	ownPublishHighWater = peerOutboundQueue / 2
	// validateQueue is pubsub's queue of received messages waiting for a
	// validation worker (pubsub.WithValidateQueueSize). A full queue drops
	// the message; another copy from another peer is still validated.
	validateQueue = 4096
	// publishWait bounds how long Publish waits for room in the outbound
	// queues before it answers ErrBusy. It is longer than stalledAfter, so a
	// peer that stops reading (stopped, cut off) delays publishes once, by
	// stalledAfter, and never gets them refused.
	publishWait = stalledAfter + time.Second
	// stalledAfter: a peer whose full queue has not had a write for this long
	// is stalled (not reading); Publish does not wait for it, and what its
	// queue cannot take is dropped and counted, so one peer that stops
	// reading cannot stop this node publishing to the others.
	stalledAfter = 2 * time.Second
	// pendingTTL forgets an admitted publish the router never reported
	// (a duplicate of a message already sent is not delivered again).
	pendingTTL = 2 * time.Second
)

// Drop places (label "where") and reasons (label "reason") of
// validator_p2p_gossip_dropped_total.
var dropKinds = []struct{ where, reason string }{
	{"peer_queue", "own"},         // our own message: a peer's outbound queue was full
	{"peer_queue", "forward"},     // a message we relay: a peer's outbound queue was full
	{"validation", "queue_full"},  // received: the validation queue was full
	{"validation", "throttled"},   // received: asynchronous validation throttled
	{"subscriber", "buffer_full"}, // verified: a local subscription's buffer was full
}

// topicOther labels messages of topics outside StandardTopics.
const topicOther = "other"

// gossipTracer is a pubsub.RawTracer that counts every message pubsub drops,
// by topic and place, and tracks how full each peer's outbound queue is so
// Publish can wait for room instead of having its message dropped.
type gossipTracer struct {
	self    peer.ID
	network string
	node    [20]byte
	drops   map[string]map[[2]string]prometheus.Counter
	out     *outbound
}

var _ pubsub.RawTracer = (*gossipTracer)(nil)

func newGossipTracer(s *Service) *gossipTracer {
	g := &gossipTracer{
		self: s.id.PeerID, network: s.cfg.Network, node: s.id.NodeID,
		drops: map[string]map[[2]string]prometheus.Counter{},
		out:   newOutbound(ownPublishHighWater, stalledAfter),
	}
	for _, t := range append(append([]string(nil), StandardTopics...), topicOther) {
		m := map[[2]string]prometheus.Counter{}
		for _, k := range dropKinds {
			m[[2]string{k.where, k.reason}] = s.m.dropped.WithLabelValues(t, k.where, k.reason)
		}
		g.drops[t] = m
	}
	return g
}

func (g *gossipTracer) count(fullTopic, where, reason string) {
	name := topicOther
	if nw, n, ok := ParseTopicName(fullTopic); ok && nw == g.network {
		if _, std := g.drops[n]; std {
			name = n
		}
	}
	g.drops[name][[2]string{where, reason}].Inc()
}

// DropRPC counts each message of an RPC dropped at a peer's full outbound
// queue. Control-only RPCs are not counted: pubsub queues their control
// messages again for the next RPC to that peer.
func (g *gossipTracer) DropRPC(rpc *pubsub.RPC, _ peer.ID) {
	g.out.routed(rpc)
	for _, m := range rpc.GetPublish() {
		reason := "forward"
		if e, err := DecodeEnvelope(m.GetData()); err == nil && e.Sender == g.node {
			reason = "own"
		}
		g.count(m.GetTopic(), "peer_queue", reason)
	}
}

// RejectMessage counts the rejections that are drops for lack of room; the
// others are validation verdicts, counted by validator_p2p_messages_total.
func (g *gossipTracer) RejectMessage(msg *pubsub.Message, reason string) {
	switch reason {
	case pubsub.RejectValidationQueueFull:
		g.count(msg.GetTopic(), "validation", "queue_full")
	case pubsub.RejectValidationThrottled:
		g.count(msg.GetTopic(), "validation", "throttled")
	}
}

// UndeliverableMessage counts a verified message a local subscription had no
// room for.
func (g *gossipTracer) UndeliverableMessage(msg *pubsub.Message) {
	g.count(msg.GetTopic(), "subscriber", "buffer_full")
}

// SendRPC is called when an RPC enters a peer's outbound queue.
func (g *gossipTracer) SendRPC(rpc *pubsub.RPC, p peer.ID) { g.out.pushed(p, rpc) }

// OnClosedOutboundStream: pubsub closed the peer's queue.
func (g *gossipTracer) OnClosedOutboundStream(p peer.ID) { g.out.closed(p) }

func (g *gossipTracer) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (g *gossipTracer) Join(string)                              {}
func (g *gossipTracer) Leave(string)                             {}
func (g *gossipTracer) Graft(peer.ID, string)                    {}
func (g *gossipTracer) Prune(peer.ID, string)                    {}
func (g *gossipTracer) ValidateMessage(*pubsub.Message)          {}
func (g *gossipTracer) DeliverMessage(*pubsub.Message)           {}
func (g *gossipTracer) DuplicateMessage(*pubsub.Message)         {}
func (g *gossipTracer) ThrottlePeer(peer.ID)                     {}
func (g *gossipTracer) RecvRPC(*pubsub.RPC)                      {}

// ---------------------------------------------------------------- outbound

// outbound estimates how many RPCs wait in each peer's pubsub outbound queue:
// RPCs pushed (SendRPC) minus RPCs written to the peer's stream (counted by
// the stream wrapper of gossipHost). pubsub exposes neither number, and
// drops whatever does not fit; Publish uses the estimate to wait for room.
type outbound struct {
	high    int
	stalled time.Duration
	now     func() time.Time

	mu    sync.Mutex
	peers map[peer.ID]*outPeer
	// pending are own messages admitted and not yet queued for any peer, by
	// their envelope bytes' address (pubsub queues the same slice).
	pending map[*byte]time.Time
	room    chan struct{} // closed (and replaced) when a write makes room
	waiters int
}

type outPeer struct {
	queued    int
	streams   int
	lastWrite time.Time
}

func newOutbound(high int, stalled time.Duration) *outbound {
	return &outbound{
		high: high, stalled: stalled, now: time.Now,
		peers: map[peer.ID]*outPeer{}, pending: map[*byte]time.Time{}, room: make(chan struct{}),
	}
}

func (o *outbound) peer(p peer.ID) *outPeer {
	op := o.peers[p]
	if op == nil {
		op = &outPeer{}
		o.peers[p] = op
	}
	return op
}

func (o *outbound) pushed(p peer.ID, rpc *pubsub.RPC) {
	o.mu.Lock()
	o.peer(p).queued++
	o.routedLocked(rpc)
	o.mu.Unlock()
}

// routed forgets the pending messages of rpc: the router has taken them.
func (o *outbound) routed(rpc *pubsub.RPC) {
	o.mu.Lock()
	o.routedLocked(rpc)
	o.mu.Unlock()
}

func (o *outbound) routedLocked(rpc *pubsub.RPC) {
	if len(o.pending) == 0 {
		return
	}
	for _, m := range rpc.GetPublish() {
		delete(o.pending, unsafe.SliceData(m.GetData()))
	}
}

func (o *outbound) written(p peer.ID) {
	o.mu.Lock()
	defer o.mu.Unlock()
	op := o.peer(p)
	op.queued = max(op.queued-1, 0)
	op.lastWrite = o.now()
	if o.waiters > 0 {
		close(o.room)
		o.room = make(chan struct{})
	}
}

// opened starts a peer's count afresh: pubsub opens an outbound stream for a
// new queue, and RPCs of an earlier stream that ended without a close
// reported (reset, connection trimmed) will never be written. Keeping them
// drifted the estimate up for good, and a peer whose count sat above the high
// water mark while its new stream kept writing refused every publish (the
// simulator at 100 nodes, where the connection manager trims connections).
func (o *outbound) opened(p peer.ID) {
	o.mu.Lock()
	op := o.peer(p)
	op.streams++
	op.queued = 0
	op.lastWrite = o.now()
	o.mu.Unlock()
}

func (o *outbound) closed(p peer.ID) {
	o.mu.Lock()
	delete(o.peers, p)
	if o.waiters > 0 {
		close(o.room)
		o.room = make(chan struct{})
	}
	o.mu.Unlock()
}

// full says whether some live, reading peer's queue has no room for one more
// of our messages, counting those admitted and not yet queued.
func (o *outbound) full(now time.Time) bool {
	for id, at := range o.pending {
		if now.Sub(at) > pendingTTL {
			delete(o.pending, id)
		}
	}
	for _, op := range o.peers {
		if op.streams > 0 && op.queued+len(o.pending) >= o.high && now.Sub(op.lastWrite) < o.stalled {
			return true
		}
	}
	return false
}

// admit waits until every reading peer's queue has room for the message
// data, at most wait or until ctx ends, and reserves the room until the router
// queues data; it fails with ErrBusy. The caller calls release(data) if it
// does not publish after all.
func (o *outbound) admit(ctx context.Context, data []byte, wait time.Duration) error {
	id := unsafe.SliceData(data)
	var timeout <-chan time.Time
	for {
		o.mu.Lock()
		if !o.full(o.now()) {
			o.pending[id] = o.now()
			o.mu.Unlock()
			return nil
		}
		room := o.room
		o.waiters++
		o.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		var err error
		select {
		case <-room:
		case <-time.After(o.stalled / 4): // a peer may have stalled meanwhile
		case <-timeout:
			err = ErrBusy
		case <-ctx.Done():
			err = errors.Join(ErrBusy, ctx.Err())
		}
		o.mu.Lock()
		o.waiters--
		o.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

func (o *outbound) release(data []byte) {
	o.mu.Lock()
	delete(o.pending, unsafe.SliceData(data))
	o.mu.Unlock()
}

// gossipHost is the host pubsub sees: its outbound streams count their writes
// for outbound. pubsub writes one RPC per Write. pubsub opens a stream to a
// peer when it connects, or again when one ends; it never dials: a peer whose
// connection closed meanwhile (a probe's, one the manager trimmed) is not
// reconnected by gossip, which made connections churn in the simulator.
type gossipHost struct {
	host.Host
	out *outbound
}

func (h gossipHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	s, err := h.Host.NewStream(network.WithNoDial(ctx, "gossip"), p, pids...)
	if err != nil {
		return nil, err
	}
	h.out.opened(p)
	return &countedStream{Stream: s, out: h.out, peer: p}, nil
}

// countedStream reports each write but the first, which is pubsub's hello
// RPC (our subscriptions), sent around the queue.
type countedStream struct {
	network.Stream
	out   *outbound
	peer  peer.ID
	hello bool
}

func (c *countedStream) Write(b []byte) (int, error) {
	n, err := c.Stream.Write(b)
	if !c.hello {
		c.hello = true
		return n, err
	}
	c.out.written(c.peer)
	return n, err
}
