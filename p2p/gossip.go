package p2p

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
)

// ErrUnknownTopic: the topic is not one this network carries.
var ErrUnknownTopic = errors.New("unknown topic")

// rpcFrameSize is the cap on one pubsub RPC frame, in and out, for envelopes
// of at most maxEnvelope bytes: the largest envelope plus framing, and never
// less than a full IHAVE of one topic (GossipSubMaxIHaveLength message IDs of
// MessageIDLen bytes, 2 bytes of protobuf framing each). Below that, gossipsub
// splits every outgoing IHAVE that does not fit by appending one message ID at
// a time and re-measuring the whole RPC, O(n²) in IDs, on the node's single
// event loop: at 1,000 msg/s that was 7 % of the CPU of a 10-node network.
func rpcFrameSize(maxEnvelope int) int {
	const slack = 1024
	ihave := pubsub.GossipSubMaxIHaveLength*(MessageIDLen+2) + MaxTopicLen + slack
	return max(maxEnvelope+slack, ihave)
}

func (s *Service) buildGossip() error {
	maxSize := 0
	for _, t := range StandardTopics {
		maxSize = max(maxSize, s.val.MaxSize(t))
	}
	opts := []pubsub.Option{
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(func(m *pb.Message) string { return MessageID(m.Data) }),
		pubsub.WithSeenMessagesTTL(SeenTTL(s.cfg.Validation.withDefaults())),
		pubsub.WithMaxMessageSize(rpcFrameSize(maxSize)),
		pubsub.WithPeerFilter(func(p peer.ID, _ string) bool { return s.registered(p) }),
		pubsub.WithValidateWorkers(runtime.GOMAXPROCS(0)),
		pubsub.WithPeerOutboundQueueSize(peerOutboundQueue),
		pubsub.WithValidateQueueSize(validateQueue),
	}
	s.gt = newGossipTracer(s)
	opts = append(opts, pubsub.WithRawTracer(s.gt), pubsub.WithRawTracer(streamEnds{s}))
	// Scoring is always on (p2p/score.go): misbehaviour is penalised whether or
	// not reputation supplies an application score.
	app := s.cfg.AppScore
	if app == nil {
		app = func(peer.ID) float64 { return 0 }
	}
	sc, err := newScoring(s.log, s.members, s.cfg.Registerer)
	if err != nil {
		return err
	}
	s.sc = sc
	s.lim = newPeerLimiter(s.cfg.PeerMessageRate, s.cfg.PeerMessageBurst)
	var full []string
	for _, name := range StandardTopics {
		full = append(full, TopicName(s.cfg.Network, name))
	}
	params, thresholds := peerScoreParams(sc.app(app), full)
	opts = append(opts,
		pubsub.WithPeerScore(params, thresholds),
		pubsub.WithPeerScoreInspect(pubsub.ExtendedPeerScoreInspectFn(sc.inspect), time.Second),
	)
	ps, err := pubsub.NewGossipSub(s.ctx, gossipHost{s.host, s.gt.out}, opts...)
	if err != nil {
		return fmt.Errorf("gossipsub: %w", err)
	}
	s.ps = ps
	for _, name := range StandardTopics {
		if err := s.joinTopic(name); err != nil {
			return err
		}
	}
	return nil
}

// gossipStreamEnded runs in pubsub's event loop when pubsub has ended its
// outbound stream to p. If p is still connected (another connection lives,
// or only the stream died: a write timed out, the peer reset it),
// go-libp2p-pubsub v0.17 has just forgotten p's subscriptions
// (handleDeadPeers) and is about to open a new stream with our own: p learns
// ours again, but if p's stream to us lives on, p never sends its
// subscriptions again, and this node publishes nothing to p for as long as
// they stay connected (a node frozen 15 s came back to its old connections
// closed and new ones up, and its publishes reached no one for over 20 s;
// TestGossipSurvivesDuplicateConnectionClose). Closing p's connections then,
// before pubsub decides to reopen the stream, makes it a plain disconnect on
// both sides; the next connection (discovery dials at once below
// target_peers) starts gossip afresh, each side sending its subscriptions.
// Not when p has no gossip stream to us yet: the one it opens will bring
// them (closing then would also undo a reconnection made meanwhile, and p's
// side, seeing its stream end on it, would close the next one). Closing
// rather than resetting p's stream to us: a reset would make p forget ours in
// turn, and pubsub allows only four streams reopened to a connected peer in
// ten minutes, after which it stops writing to it until a new connection.
func (s *Service) gossipStreamEnded(p peer.ID) {
	if s.ctx.Err() != nil || !s.gossipsFrom(p) {
		return
	}
	s.m.gossipRestarts.Inc()
	s.log.Debug("gossip stream ended while connected; closing the peer's connections to restart gossip", "peer", p)
	_ = s.host.Network().ClosePeer(p)
}

// gossipsFrom says whether p has a gossip stream to this node on an open
// connection.
func (s *Service) gossipsFrom(p peer.ID) bool {
	for _, c := range s.host.Network().ConnsToPeer(p) {
		if c.IsClosed() {
			continue
		}
		for _, st := range c.GetStreams() {
			if st.Stat().Direction == network.DirInbound && slices.Contains(pubsub.GossipSubDefaultProtocols, st.Protocol()) {
				return true
			}
		}
	}
	return false
}

// streamEnds is the pubsub.RawTracer that calls gossipStreamEnded.
type streamEnds struct{ s *Service }

var _ pubsub.RawTracer = streamEnds{}

func (t streamEnds) OnClosedOutboundStream(p peer.ID)       { t.s.gossipStreamEnded(p) }
func (streamEnds) OnNewOutboundStream(peer.ID, protocol.ID) {}
func (streamEnds) Join(string)                              {}
func (streamEnds) Leave(string)                             {}
func (streamEnds) Graft(peer.ID, string)                    {}
func (streamEnds) Prune(peer.ID, string)                    {}
func (streamEnds) ValidateMessage(*pubsub.Message)          {}
func (streamEnds) DeliverMessage(*pubsub.Message)           {}
func (streamEnds) RejectMessage(*pubsub.Message, string)    {}
func (streamEnds) DuplicateMessage(*pubsub.Message)         {}
func (streamEnds) ThrottlePeer(peer.ID)                     {}
func (streamEnds) RecvRPC(*pubsub.RPC)                      {}
func (streamEnds) SendRPC(*pubsub.RPC, peer.ID)             {}
func (streamEnds) DropRPC(*pubsub.RPC, peer.ID)             {}
func (streamEnds) UndeliverableMessage(*pubsub.Message)     {}

func (s *Service) joinTopic(name string) error {
	full := TopicName(s.cfg.Network, name)
	if err := s.ps.RegisterTopicValidator(full, s.validateMessage(name), pubsub.WithValidatorInline(true)); err != nil {
		return fmt.Errorf("topic %s validator: %w", name, err)
	}
	t, err := s.ps.Join(full)
	if err != nil {
		return fmt.Errorf("join topic %s: %w", name, err)
	}
	s.topics[name] = &joinedTopic{Topic: t, published: s.m.published.WithLabelValues(name), bytesOut: s.m.bytesOut.WithLabelValues(name)}
	return nil
}

// joinedTopic is a joined pubsub topic with its publish counters, resolved once.
type joinedTopic struct {
	*pubsub.Topic
	published, bytesOut prometheus.Counter
}

func (s *Service) validateMessage(name string) func(context.Context, peer.ID, *pubsub.Message) pubsub.ValidationResult {
	// Resolved once per topic: the validator runs for every message.
	results := map[string]prometheus.Counter{}
	for _, r := range append(slices.Clone(ValidationReasons), payloadReasons...) {
		results[r] = s.m.messages.WithLabelValues(name, r)
	}
	bytesIn := s.m.bytesIn.WithLabelValues(name)
	return func(_ context.Context, from peer.ID, msg *pubsub.Message) pubsub.ValidationResult {
		if from == s.id.PeerID {
			// Our own Publish: pubsub validates local messages inline, but we
			// just signed this envelope; only remote messages are verified.
			return s.acceptLocal(name, msg)
		}
		start := time.Now()
		if !s.lim.allow(from, start) {
			// Over the per-peer bound: dropped unread and unpenalised; a copy
			// from another peer is still validated (pubsub marks a message
			// seen only once accepted).
			results[ReasonRateLimited].Inc()
			return pubsub.ValidationIgnore
		}
		v := s.verify(name, msg.Data, false)
		s.m.validation.Observe(time.Since(start).Seconds())
		results[v.Reason].Inc()
		switch v.Result {
		case Accept:
			bytesIn.Add(float64(len(msg.Data)))
			msg.ValidatorData = &v
			return pubsub.ValidationAccept
		case Reject:
			s.log.Debug("gossip message rejected", "topic", name, "from", from, "reason", v.Reason)
			if s.cfg.OnRejected != nil {
				s.cfg.OnRejected(from)
			}
			return pubsub.ValidationReject
		default:
			s.log.Debug("gossip message ignored", "topic", name, "from", from, "reason", v.Reason)
			return pubsub.ValidationIgnore
		}
	}
}

// acceptLocal accepts our own message, which Publish checked (ownVerdict)
// before handing it to pubsub; anything else published locally is checked
// here the same way.
func (s *Service) acceptLocal(name string, msg *pubsub.Message) pubsub.ValidationResult {
	if v, ok := msg.ValidatorData.(*verified); ok && v.Result == Accept {
		return pubsub.ValidationAccept
	}
	v := s.verify(name, msg.Data, false)
	if v.Result != Accept {
		return pubsub.ValidationReject
	}
	msg.ValidatorData = &v
	return pubsub.ValidationAccept
}

// verify runs the checks every peer runs on a message of topic name: the
// Validator's pipeline, then the payload check of topics that have one. own
// is an envelope this node has just signed, whose signature is not checked.
func (s *Service) verify(name string, data []byte, own bool) verified {
	verdict := s.val.Validate
	if own {
		verdict = s.val.validateOwn
	}
	v := checkPayload(name, verdict(name, data))
	if check := s.cfg.PayloadChecks[name]; check != nil && v.Result == Accept {
		if err := check(v.Sender.ID, v.Payload); err != nil {
			r := Verdict{Result: Reject, Reason: ReasonBadPayload, Envelope: v.Envelope}
			if errors.Is(err, ErrIgnorePayload) {
				r.Result, r.Reason = Ignore, ReasonIgnoredPayload
			}
			v.Verdict, v.payloadErr = r, err
		}
	}
	return v
}

// PayloadCheck checks the payload of a message whose envelope is valid,
// signed by sender (a registered node ID).
type PayloadCheck func(sender common.Address, payload []byte) error

// ErrIgnorePayload, wrapped by a PayloadCheck's error, ignores the message
// instead of rejecting it.
var ErrIgnorePayload = errors.New("payload ignored")

// Reasons of PayloadChecks' verdicts.
const (
	// ReasonBadPayload: a PayloadCheck refused the payload (Reject).
	ReasonBadPayload = "bad_payload"
	// ReasonIgnoredPayload: a PayloadCheck ignored the payload (Ignore).
	ReasonIgnoredPayload = "ignored_payload"
)

// payloadReasons are the reasons validation adds after Validate's.
var payloadReasons = []string{ReasonBadHeartbeat, ReasonBadPayload, ReasonIgnoredPayload}

// checkPayload is the last validation step, on a message the Validator
// accepted: on heartbeats the payload must be a heartbeat, or the message is
// rejected (ReasonBadHeartbeat).
func checkPayload(name string, vd Verdict) verified {
	v := verified{Verdict: vd}
	if v.Result == Accept && name == TopicHeartbeats {
		if hb, addrs, err := decodeHeartbeat(v.Payload); err != nil {
			v.Verdict = Verdict{Result: Reject, Reason: ReasonBadHeartbeat, Envelope: v.Envelope}
		} else {
			v.heartbeat, v.heartbeatAddrs = hb, addrs
		}
	}
	return v
}

// ValidateGossip is the whole verdict a node gives a gossip message of topic
// (a short name) that its forwarder's rate bound let through: Validate, then
// the payload check of topics that have one (a heartbeat on heartbeats).
func (v *Validator) ValidateGossip(topic string, data []byte) Verdict {
	return checkPayload(topic, v.Validate(topic, data)).Verdict
}

// Errors of Publish, besides ErrUnknownTopic, ErrTooLarge and ErrBusy: each
// is a message peers would refuse, so it is refused before it is gossiped.
var (
	// ErrNotAllowed: this node may not author messages on the topic (a
	// coordinator-only topic, or this node is not active in the registry).
	ErrNotAllowed = errors.New("not allowed to publish")
	// ErrBadPayload: the payload is not what the topic carries (a heartbeat
	// that does not decode).
	ErrBadPayload = errors.New("payload invalid for the topic")
)

// ownVerdict turns what peers would answer to our own envelope into an error.
func (s *Service) ownVerdict(topic string, v verified) (reason string, err error) {
	switch v.Reason {
	case ReasonOK:
		return "", nil
	case ReasonNotCoordinator:
		return "not_allowed", fmt.Errorf("%w: topic %s is for coordinators; this node is a validator", ErrNotAllowed, topic)
	case ReasonUnknownSender:
		return "not_allowed", fmt.Errorf("%w: this node (%s) is not active in the registry, so peers would ignore its messages", ErrNotAllowed, s.id.NodeID)
	case ReasonBadHeartbeat:
		return "bad_payload", fmt.Errorf("%w: not a heartbeat (heartbeats are RLP [addrs, version], and the daemon sends its own)", ErrBadPayload)
	case ReasonBadPayload, ReasonIgnoredPayload:
		return "bad_payload", fmt.Errorf("%w: %w", ErrBadPayload, v.payloadErr)
	case ReasonOversized, ReasonTooLargeDecompressed:
		return "too_large", ErrTooLarge
	default:
		// Our own envelope failing network, topic, time or signature checks
		// is a bug or a broken clock, not the caller's doing.
		return "", fmt.Errorf("own envelope fails validation (%s)", v.Reason)
	}
}

// Publish signs payload into an envelope and gossips it on topic. It refuses,
// before anything is gossiped, a message peers would reject or ignore
// (ErrNotAllowed, ErrTooLarge, ErrBadPayload): our own messages go through the
// same checks as everyone else's, so no call can make peers penalise this
// node. It waits (up to a second, or until ctx ends) while a peer's outbound
// queue has no room for the message, and then refuses it with ErrBusy rather
// than let pubsub drop it.
func (s *Service) Publish(ctx context.Context, topic string, payload []byte) error {
	t, ok := s.topics[topic]
	if !ok {
		return fmt.Errorf("publish: %w %q", ErrUnknownTopic, topic)
	}
	env, err := SignEnvelopeCompressed(s.id.Key, s.cfg.Network, topic, payload, time.Now(), s.cfg.CompressMinBytes)
	if err != nil {
		return fmt.Errorf("publish on %s: %w", topic, err)
	}
	data, err := EncodeEnvelope(env)
	if err != nil {
		return fmt.Errorf("publish on %s: %w", topic, err)
	}
	if max := s.val.MaxSize(topic); env.Encoding != EncodingRaw && len(payload) > max {
		// The cap applies to the decompressed payload too.
		s.m.refused.WithLabelValues(topic, "too_large").Inc()
		return fmt.Errorf("publish on %s: a payload of %d bytes is over the topic's cap of %d bytes, which applies to the decompressed payload: %w",
			topic, len(payload), max, ErrTooLarge)
	} else if len(data) > max {
		s.m.refused.WithLabelValues(topic, "too_large").Inc()
		return fmt.Errorf("publish on %s: a payload of %d bytes makes an envelope of %d bytes; the topic's cap is %d bytes (a payload of at most %d): %w",
			topic, len(payload), len(data), max, max-(len(data)-len(payload)), ErrTooLarge)
	}
	v := s.verify(topic, data, true)
	if reason, err := s.ownVerdict(topic, v); err != nil {
		if reason != "" {
			s.m.refused.WithLabelValues(topic, reason).Inc()
		}
		return fmt.Errorf("publish on %s: %w", topic, err)
	}
	// Never publish faster than peers validate from one peer
	// (gossip.peer_msg_rate): they would ignore the excess.
	if !s.lim.wait(ctx, s.id.PeerID, publishWait) {
		s.m.refused.WithLabelValues(topic, "busy").Inc()
		return fmt.Errorf("publish on %s: over gossip.peer_msg_rate (%d/s), the most peers validate from one node: %w; retry shortly", topic, s.cfg.PeerMessageRate, ErrBusy)
	}
	if err := s.gt.out.admit(ctx, data, publishWait); err != nil {
		s.m.refused.WithLabelValues(topic, "busy").Inc()
		return fmt.Errorf("publish on %s: %w; retry shortly", topic, err)
	}
	if err := t.Publish(ctx, data, pubsub.WithValidatorData(&v)); err != nil {
		s.gt.out.release(data)
		return fmt.Errorf("publish on %s: %w", topic, err)
	}
	t.published.Inc()
	t.bytesOut.Add(float64(len(data)))
	return nil
}

// Message is a verified gossip message.
type Message struct {
	ID    string
	Topic string
	// Sender is the registered node that signed the message.
	Sender    Member
	Payload   []byte
	Timestamp time.Time
	// From is the peer that forwarded the message to us.
	From peer.ID
}

// Subscription yields the verified messages of one topic, each once, except
// this node's own.
type Subscription struct {
	s      *Service
	topic  string
	sub    *pubsub.Subscription
	once   sync.Once
	cancel func()
}

// Subscribe starts receiving a topic's verified messages.
func (s *Service) Subscribe(topic string) (*Subscription, error) {
	t, ok := s.topics[topic]
	if !ok {
		return nil, fmt.Errorf("subscribe: %w %q", ErrUnknownTopic, topic)
	}
	ps, err := t.Subscribe(pubsub.WithBufferSize(s.cfg.SubscriptionBuffer))
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", topic, err)
	}
	sub := &Subscription{s: s, topic: topic, sub: ps}
	sub.cancel = func() { sub.once.Do(ps.Cancel) }
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	return sub, nil
}

// Topic is the subscription's topic short name.
func (sub *Subscription) Topic() string { return sub.topic }

// Next blocks for the next message; it fails when ctx ends or the subscription
// or service is closed.
func (sub *Subscription) Next(ctx context.Context) (Message, error) {
	for {
		m, err := sub.sub.Next(ctx)
		if err != nil {
			return Message{}, err
		}
		v, ok := m.ValidatorData.(*verified)
		if !ok || v.Envelope == nil {
			continue
		}
		if v.Sender.PeerID == sub.s.id.PeerID {
			continue // our own
		}
		return Message{
			ID: m.ID, Topic: sub.topic, Sender: v.Sender, Payload: v.Payload,
			Timestamp: time.UnixMilli(int64(v.Envelope.Timestamp)), From: m.ReceivedFrom,
		}, nil
	}
}

// Close ends the subscription.
func (sub *Subscription) Close() {
	sub.cancel()
	sub.s.mu.Lock()
	delete(sub.s.subs, sub)
	sub.s.mu.Unlock()
}

// ---------------------------------------------------------------- heartbeats

// verified is what validation hands to subscribers through ValidatorData.
type verified struct {
	Verdict
	// payloadErr is the PayloadCheck's error, if it refused the payload.
	payloadErr error
	heartbeat  Heartbeat
	// heartbeatAddrs are heartbeat.Addrs, parsed once by validation.
	heartbeatAddrs []ma.Multiaddr
}

// Heartbeat is the payload of the heartbeats topic (docs/protocol.md, section
// 7): where the sender can be reached now, and what it runs.
type Heartbeat struct {
	Addrs   []string
	Version string
}

const (
	maxHeartbeatAddrs   = 16
	maxHeartbeatAddrLen = 256
	// ReasonBadHeartbeat is the reason of a message on heartbeats whose
	// envelope is valid but whose payload is not a heartbeat (Reject).
	ReasonBadHeartbeat = "bad_heartbeat"
)

// EncodeHeartbeat encodes a heartbeat payload: RLP [addrs, version].
func EncodeHeartbeat(hb Heartbeat) ([]byte, error) { return rlp.EncodeToBytes(hb) }

// DecodeHeartbeat decodes and checks a heartbeat payload as validation does.
func DecodeHeartbeat(b []byte) (Heartbeat, error) {
	hb, _, err := decodeHeartbeat(b)
	return hb, err
}

// decodeHeartbeat decodes and checks a heartbeat payload and parses its
// addresses.
func decodeHeartbeat(b []byte) (Heartbeat, []ma.Multiaddr, error) {
	var hb Heartbeat
	if err := rlp.DecodeBytes(b, &hb); err != nil {
		return hb, nil, err
	}
	if len(hb.Addrs) > maxHeartbeatAddrs || len(hb.Version) > 64 {
		return hb, nil, errors.New("heartbeat too large")
	}
	addrs := make([]ma.Multiaddr, 0, len(hb.Addrs))
	for _, a := range hb.Addrs {
		if len(a) > maxHeartbeatAddrLen {
			return hb, nil, errors.New("heartbeat address too long")
		}
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			return hb, nil, err
		}
		addrs = append(addrs, m)
	}
	return hb, addrs, nil
}

func (s *Service) heartbeatLoop() {
	sub, err := s.topics[TopicHeartbeats].Subscribe(pubsub.WithBufferSize(256))
	if err != nil {
		s.log.Error("subscribe to heartbeats", "err", err)
		return
	}
	defer sub.Cancel()
	// Relaying keeps this node in every topic's mesh, so it forwards messages
	// even when no local application listens, without a subscription to wake
	// for each message.
	for name, t := range s.topics {
		if name == TopicHeartbeats {
			continue
		}
		if _, err := t.Relay(); err != nil {
			s.log.Error("relay", "topic", name, "err", err)
		}
	}
	s.goLoop(func() {
		for {
			m, err := sub.Next(s.ctx)
			if err != nil {
				return
			}
			v, ok := m.ValidatorData.(*verified)
			if !ok || v.Sender.PeerID == s.id.PeerID {
				continue
			}
			addrs := v.heartbeatAddrs
			e := AddrEntry{
				PeerID: v.Sender.PeerID, NodeID: v.Sender.ID, Addrs: addrs, Version: v.heartbeat.Version,
				Seen: time.UnixMilli(int64(v.Envelope.Timestamp)),
			}
			if s.book.Put(e) {
				s.host.Peerstore().AddAddrs(e.PeerID, addrs, s.book.Expiry())
				if s.cfg.OnHeartbeat != nil {
					s.cfg.OnHeartbeat(e)
				}
			}
			s.m.addrBook.Set(float64(s.book.Len()))
		}
	})
	// A heartbeat sent before anyone listens is lost, so a node whose last
	// heartbeat reached no peer beats as soon as one joins the heartbeat
	// topic (gossipsub floods our own messages to every topic peer), again
	// shortly after, and otherwise every interval with jitter so a network
	// started at once does not beat in lockstep. A node that has peers does
	// not beat for a newcomer: each heartbeat goes to the whole network, so
	// beating on every join cost N heartbeats per connection made anywhere,
	// and at 40 simulated nodes four times the heartbeats the interval gives
	// (the newcomer hears everyone within an interval anyway, and has the
	// registry's addresses before that).
	if events, err := s.topics[TopicHeartbeats].EventHandler(); err == nil {
		s.goLoop(func() {
			defer events.Cancel()
			for {
				ev, err := events.NextPeerEvent(s.ctx)
				if err != nil {
					return
				}
				if ev.Type == pubsub.PeerJoin {
					select {
					case s.hbKick <- struct{}{}:
					default:
					}
				}
			}
		})
	}
	t := time.NewTimer(s.jitter(s.heartbeatInterval()))
	defer t.Stop()
	var last time.Time
	followUp, heard := false, false
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.hbKick:
			if heard || time.Since(last) < 250*time.Millisecond {
				continue
			}
			followUp = true
		case <-t.C:
		}
		heard = len(s.topics[TopicHeartbeats].ListPeers()) > 0
		s.sendHeartbeat()
		last = time.Now()
		next := s.jitter(s.heartbeatInterval())
		if followUp {
			next, followUp = min(next, time.Second), false
		}
		t.Reset(next)
	}
}

// heartbeatSpacing is the network-wide gap between heartbeats the interval
// keeps: every node's heartbeat reaches every node, so at a fixed interval
// each node would validate N/interval of them a second, and carry their
// copies: at 1,000 nodes and 10 s, 100 signature checks and ~700 copies a
// second per node for addresses that rarely change, at 10,000 ten times that
// (docs/benchmarks.md, "Simulation").
const heartbeatSpacing = 100 * time.Millisecond

// heartbeatInterval is network.heartbeat_interval, or longer in a network
// large enough that it would exceed ten heartbeats a second network-wide:
// members × 100 ms (1,000 nodes: 100 s). The address book's expiry grows in
// the same proportion, so entries still outlive several silent intervals.
func (s *Service) heartbeatInterval() time.Duration {
	d := max(s.cfg.HeartbeatInterval, time.Duration(len(s.members.Members()))*heartbeatSpacing)
	s.book.SetExpiry(time.Duration(float64(s.cfg.AddrExpiry) * float64(d) / float64(s.cfg.HeartbeatInterval)))
	return d
}

func (s *Service) sendHeartbeat() {
	if s.cfg.silent {
		return
	}
	hb := Heartbeat{Version: s.cfg.Version}
	for _, a := range s.host.Addrs() {
		if len(hb.Addrs) == maxHeartbeatAddrs {
			break
		}
		hb.Addrs = append(hb.Addrs, a.String())
	}
	b, err := EncodeHeartbeat(hb)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	if err := s.Publish(ctx, TopicHeartbeats, b); err != nil && s.ctx.Err() == nil {
		s.log.Debug("heartbeat not sent", "err", err)
	}
}
