package p2p

import (
	"errors"
	"fmt"
	"maps"
	"time"
)

// Result is a validation outcome, mapped one to one onto pubsub's
// ValidationAccept, ValidationReject and ValidationIgnore by the gossip wiring.
// The zero Result is invalid, so a forgotten Verdict never accepts.
type Result uint8

const (
	// Accept delivers and forwards the message.
	Accept Result = iota + 1
	// Reject drops the message and penalises the peer that forwarded it
	// (gossipsub P4, invalid message deliveries).
	Reject
	// Ignore drops the message without penalty.
	Ignore
)

func (r Result) String() string {
	switch r {
	case Accept:
		return "accept"
	case Reject:
		return "reject"
	case Ignore:
		return "ignore"
	default:
		return "invalid"
	}
}

// Validation reasons: the bounded label set of Verdict.Reason.
const (
	ReasonOK             = "ok"
	ReasonOversized      = "oversized"
	ReasonUndecodable    = "undecodable"
	ReasonWrongNetwork   = "wrong_network"
	ReasonWrongTopic     = "wrong_topic"
	ReasonStale          = "stale"
	ReasonFuture         = "future"
	ReasonUnknownSender  = "unknown_sender"
	ReasonNotCoordinator = "not_coordinator"
	ReasonBadSignature   = "bad_signature"
	// ReasonBadCompression: a compressed payload whose snappy header claims
	// more than the block can hold (a decompression bomb), or that does not
	// decompress to the length it claims (Reject).
	ReasonBadCompression = "bad_compression"
	// ReasonTooLargeDecompressed: a compressed payload whose decoded length
	// is over the topic's cap (Ignore, like oversized: caps are per node).
	ReasonTooLargeDecompressed = "too_large_decompressed"
	// ReasonRateLimited is set by the gossip wiring, not by Validate: the
	// forwarding peer exceeded its per-peer rate bound (p2p/score.go).
	ReasonRateLimited = "rate_limited"
)

// ValidationReasons is every Verdict.Reason, in pipeline order, so metrics can
// pre-initialise their label sets. Treat it as read-only.
var ValidationReasons = []string{
	ReasonOK, ReasonOversized, ReasonUndecodable, ReasonBadCompression, ReasonTooLargeDecompressed,
	ReasonWrongNetwork, ReasonWrongTopic, ReasonStale, ReasonFuture, ReasonUnknownSender, ReasonNotCoordinator,
	ReasonBadSignature, ReasonRateLimited,
}

// Verdict is the outcome of validating one gossip message.
type Verdict struct {
	Result Result
	// Reason is one of ValidationReasons.
	Reason string
	// Envelope is set once the message decoded, so callers can log what was
	// refused; its Sender is unauthenticated unless Result is Accept, so never
	// blame the claimed sender for a refused message (blame the forwarder).
	Envelope *Envelope
	// Sender is the registered author; set only on Accept.
	Sender Member
	// Payload is the application message (Envelope.Payload decompressed
	// when the envelope is compressed); set only on Accept.
	Payload []byte
}

// Validation defaults.
const (
	DefaultMaxEnvelopeSize  = 64 << 10
	DefaultHeartbeatMaxSize = 4 << 10
	// DefaultAttestationMaxSize caps attestation envelopes: the largest
	// valid one (a 128-byte payload, the longest network and topic names) is
	// under 350 bytes.
	DefaultAttestationMaxSize = 512
	DefaultMaxAge             = 2 * time.Minute
	DefaultMaxSkew            = 10 * time.Second
)

// ValidatorConfig configures gossip validation. Zero values take the defaults
// of DefaultValidatorConfig; the MaxSize and CoordinatorOnly maps are laid over
// the default maps, so {"scheduling": false} lifts the coordinator rule and a
// map without "heartbeats" keeps the heartbeat cap.
type ValidatorConfig struct {
	// Network is the network name envelopes must carry.
	Network string
	// MaxSize caps the whole encoded envelope per topic short name, in bytes.
	MaxSize map[string]int
	// DefaultMaxSize caps envelopes on topics absent from MaxSize.
	DefaultMaxSize int
	// MaxAge is how old an envelope's timestamp may be before it is stale.
	MaxAge time.Duration
	// MaxSkew is how far in the future an envelope's timestamp may be.
	MaxSkew time.Duration
	// CoordinatorOnly marks topics only coordinators may author.
	CoordinatorOnly map[string]bool
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// DefaultValidatorConfig returns the validation defaults for a network:
// 64 KiB envelopes (4 KiB heartbeats, 512 B attestations), a window of 2 minutes into the past and
// 10 seconds into the future, and scheduling for coordinators only.
func DefaultValidatorConfig(network string) ValidatorConfig {
	return ValidatorConfig{
		Network:         network,
		MaxSize:         map[string]int{TopicHeartbeats: DefaultHeartbeatMaxSize, TopicAttestations: DefaultAttestationMaxSize},
		DefaultMaxSize:  DefaultMaxEnvelopeSize,
		MaxAge:          DefaultMaxAge,
		MaxSkew:         DefaultMaxSkew,
		CoordinatorOnly: map[string]bool{TopicScheduling: true},
		Now:             time.Now,
	}
}

// withDefaults returns c with zero values replaced by defaults and its maps
// copied, so later changes by the caller do not race with validation.
func (c ValidatorConfig) withDefaults() ValidatorConfig {
	d := DefaultValidatorConfig(c.Network)
	maps.Copy(d.MaxSize, c.MaxSize)
	maps.Copy(d.CoordinatorOnly, c.CoordinatorOnly)
	c.MaxSize, c.CoordinatorOnly = d.MaxSize, d.CoordinatorOnly
	if c.DefaultMaxSize == 0 {
		c.DefaultMaxSize = d.DefaultMaxSize
	}
	if c.MaxAge == 0 {
		c.MaxAge = d.MaxAge
	}
	if c.MaxSkew == 0 {
		c.MaxSkew = d.MaxSkew
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	return c
}

func (c ValidatorConfig) validate() error {
	var errs []error
	if c.Network == "" || len(c.Network) > MaxNetworkLen {
		errs = append(errs, fmt.Errorf("network %q: want 1..%d bytes", c.Network, MaxNetworkLen))
	}
	if c.DefaultMaxSize <= 0 {
		errs = append(errs, fmt.Errorf("default max size %d: want > 0", c.DefaultMaxSize))
	}
	for topic, n := range c.MaxSize {
		if n <= 0 {
			errs = append(errs, fmt.Errorf("max size of topic %q %d: want > 0", topic, n))
		}
	}
	if c.MaxAge <= 0 {
		errs = append(errs, fmt.Errorf("max age %s: want > 0", c.MaxAge))
	}
	if c.MaxSkew < 0 {
		errs = append(errs, fmt.Errorf("max skew %s: want >= 0", c.MaxSkew))
	}
	return errors.Join(errs...)
}

// SeenTTL is how long pubsub must remember message IDs
// (pubsub.WithSeenMessagesTTL) for cfg: MaxAge + MaxSkew after defaults.
//
// Replay protection is the seen cache plus the timestamp window. An envelope
// is inside the window from (its timestamp - MaxSkew) until (its timestamp +
// MaxAge), at most MaxAge + MaxSkew in all; the seen cache drops a replay of
// the same bytes while it remembers the ID, and the window drops it (stale)
// after. If the cache forgot sooner than the window closes, a replay would be
// validated and delivered twice. The defaults (130 s) exceed pubsub's own
// default TTL (120 s), so the wiring must set it.
func SeenTTL(cfg ValidatorConfig) time.Duration {
	cfg = cfg.withDefaults()
	return cfg.MaxAge + cfg.MaxSkew
}

// Validator validates gossip envelopes against the membership. It is safe for
// concurrent use; one Validator serves every topic.
type Validator struct {
	members         Membership
	network         string
	maxSize         map[string]int
	defaultMaxSize  int
	maxAgeMs        uint64
	maxSkewMs       uint64
	coordinatorOnly map[string]bool
	now             func() time.Time
}

// NewValidator returns a validator of envelopes on cfg.Network whose senders
// must be active in members.
func NewValidator(members Membership, cfg ValidatorConfig) (*Validator, error) {
	if members == nil {
		return nil, errors.New("new validator: no membership")
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("new validator: %w", err)
	}
	return &Validator{
		members:         members,
		network:         cfg.Network,
		maxSize:         cfg.MaxSize,
		defaultMaxSize:  cfg.DefaultMaxSize,
		maxAgeMs:        uint64(cfg.MaxAge.Milliseconds()),
		maxSkewMs:       uint64(cfg.MaxSkew.Milliseconds()),
		coordinatorOnly: cfg.CoordinatorOnly,
		now:             cfg.Now,
	}, nil
}

// MaxSize is the cap on the encoded envelope for a topic short name.
func (v *Validator) MaxSize(topic string) int {
	if n, ok := v.maxSize[topic]; ok {
		return n
	}
	return v.defaultMaxSize
}

// Validate checks a message that arrived on the pubsub topic with short name
// topic. The checks run cheapest first and the first failure decides:
//
//	check                     failure           result  why
//	len(data) <= MaxSize      oversized         Ignore  caps are per-node settings (gossip.max_message_bytes): an
//	                                                    honest peer with a larger cap forwards what ours refuses
//	DecodeEnvelope            undecodable       Reject  garbage, trailing bytes, non-canonical RLP, bad field sizes,
//	                                                    an encoding item other than 1 (snappy)
//	snappy header <= 22 x     bad_compression   Reject  a decompression bomb: the header claims more than the block
//	block length                                        can hold; no honest node forwards it (it decompresses first)
//	decoded length <= MaxSize too_large_        Ignore  as oversized: caps are per node; checked on the header,
//	                          decompressed              before anything is allocated
//	Network == ours           wrong_network     Reject  the handshake keeps networks apart; this is misbehaviour
//	Topic == topic            wrong_topic       Reject  envelopes are bound to their topic; moving one is misbehaviour
//	Timestamp >= now-MaxAge   stale             Ignore  honest delay or clock skew; also ends replays after SeenTTL
//	Timestamp <= now+MaxSkew  future            Ignore  honest clock skew
//	sender active (ByID),     unknown_sender    Ignore  our registry view may lag a fresh registration or exit,
//	with a registered key                               and the forwarder itself passed the gater; a member
//	(Member.PubKey)                                     without a key cannot be authenticated (the registry
//	                                                    always has one)
//	coordinator if required   not_coordinator   Ignore  roles change on-chain (setRole); a forwarder whose registry
//	                                                    view is a block ahead of or behind ours disagrees honestly
//	signature (verify)        bad_signature     Reject  not 64 bytes [r || s] (the old 65-byte recoverable form too),
//	                                                    r or s out of range, high s (malleable), or does not verify
//	                                                    under the sender's registered key
//	payload decompresses      bad_compression   Reject  a corrupt snappy block, or one shorter than its header says;
//	                                                    decompressed only once authenticated
//	                          ok                Accept
//
// Reject makes gossipsub penalise the forwarding peer (P4, p2p/score.go);
// Ignore drops the message silently. Reject is kept for what no honest node
// ever forwards, whatever its clock, registry view or settings, so that an
// honest peer is never penalised. Each unique envelope reaches Validate once (MessageID);
// the ~45 µs signature verification (crypto.VerifySignature against the
// key the membership prepared, never parsed per message) is last, so cheap
// checks shed bad traffic first.
func (v *Validator) Validate(topic string, data []byte) Verdict {
	return v.validate(topic, data, true)
}

// validateOwn runs every check but the signature on an envelope this node
// has just signed itself: ~45 µs of signature verification saved on every
// publish, the signature being ours by construction.
func (v *Validator) validateOwn(topic string, data []byte) Verdict {
	return v.validate(topic, data, false)
}

func (v *Validator) validate(topic string, data []byte, checkSignature bool) Verdict {
	if len(data) > v.MaxSize(topic) {
		return Verdict{Result: Ignore, Reason: ReasonOversized}
	}
	e, err := DecodeEnvelope(data)
	if err != nil {
		return Verdict{Result: Reject, Reason: ReasonUndecodable}
	}
	refuse := func(r Result, reason string) Verdict {
		return Verdict{Result: r, Reason: reason, Envelope: e}
	}
	maxLen := v.MaxSize(topic)
	if n, err := e.DecodedLen(); err != nil {
		return refuse(Reject, ReasonBadCompression)
	} else if n > maxLen {
		return refuse(Ignore, ReasonTooLargeDecompressed)
	}
	if e.Network != v.network {
		return refuse(Reject, ReasonWrongNetwork)
	}
	if e.Topic != topic {
		return refuse(Reject, ReasonWrongTopic)
	}
	now := uint64(max(v.now().UnixMilli(), 0))
	if now > e.Timestamp && now-e.Timestamp > v.maxAgeMs {
		return refuse(Ignore, ReasonStale)
	}
	if e.Timestamp > now && e.Timestamp-now > v.maxSkewMs {
		return refuse(Ignore, ReasonFuture)
	}
	m, ok := v.members.ByID(e.Sender)
	if !ok || len(m.PubKey) == 0 {
		return refuse(Ignore, ReasonUnknownSender)
	}
	if v.coordinatorOnly[topic] && !m.Coordinator {
		return refuse(Ignore, ReasonNotCoordinator)
	}
	if checkSignature && e.Verify(m.PubKey) != nil {
		return refuse(Reject, ReasonBadSignature)
	}
	payload, err := e.Content(maxLen)
	if err != nil {
		return refuse(Reject, ReasonBadCompression)
	}
	return Verdict{Result: Accept, Reason: ReasonOK, Envelope: e, Sender: m, Payload: payload}
}
