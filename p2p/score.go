package p2p

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
)

// Gossipsub peer scoring. The semantics (docs/architecture.md, "Reputation and
// gossipsub scores"): unavailability is not misbehaviour. The application
// score (reputation, from liveness evidence) is a preference in
// [0, AppScoreMax] and can never push a peer under a threshold; only
// gossipsub's own count of invalid messages (P4), which only a peer that
// forwards messages our validation rejects can earn, can. Honest peers
// validate before forwarding and every rule whose outcome may differ between
// honest nodes (clock skew, a registry view that lags) answers Ignore, not
// Reject, so an honest peer's P4 stays 0.
//
// The numbers, worked the way the consensus-layer clients document theirs:
//
//	P4 per topic = InvalidWeight × invalid², topic weight 1
//	invalid messages   P4      effect
//	  4                -320    nothing yet (one bad message is a bug, not an attack)
//	  5                -500    under GossipThreshold: no IHAVE/IWANT with it
//	  7                -980    under PublishThreshold: our own messages skip it
//	  9                -1620   under GraylistThreshold: every RPC from it is dropped unread
//
// The counter decays to 1 % in InvalidDecayTime (factor per DecayInterval). A
// peer caught just past the threshold (9 messages) would be back over it in
// seconds, validated again, and graylisted again: a slow flooder would cost its
// neighbours a few validations every few seconds for ever. So a graylisted peer
// is held there for GraylistHold (the application score pins it under the
// threshold: this is misbehaviour, the one thing the app score may punish),
// and is heard again only when the hold has passed and P4 has decayed. Positive terms can never
// buy an attacker out: the app score is at most AppScoreMax and first
// deliveries (P2) at most TopicScoreCap, both far from 1,600.
const (
	GossipThreshold   = -400.0
	PublishThreshold  = -800.0
	GraylistThreshold = -1600.0
	// InvalidWeight is P4's weight on every topic.
	InvalidWeight = -20.0
	// InvalidDecayTime: the invalid-message counter decays to 1 % in this long.
	InvalidDecayTime = time.Hour
	// AppScoreMax is the largest application score (a perfect availability
	// record); AppScore functions should return values in [0, AppScoreMax].
	AppScoreMax = 10.0
	// TopicScoreCap caps the positive part of the topic scores (P2).
	TopicScoreCap = 20.0
	// GraylistHold is how long a peer that crossed GraylistThreshold is kept
	// under it, whatever its counters do meanwhile.
	GraylistHold = 10 * time.Minute
	// OpportunisticGraftThreshold: when the median score of a topic mesh falls
	// below it, gossipsub grafts better peers. Half the app score of a perfect
	// peer: a mesh of peers with long recent downtime is topped up with ones
	// that have been reachable.
	OpportunisticGraftThreshold = AppScoreMax / 2
	scoreDecayInterval          = time.Second
	scoreDecayToZero            = 0.01
)

func topicScoreParams() *pubsub.TopicScoreParams {
	decay := func(d time.Duration) float64 {
		return pubsub.ScoreParameterDecayWithBase(d, scoreDecayInterval, scoreDecayToZero)
	}
	return &pubsub.TopicScoreParams{
		TopicWeight: 1,
		// P1 off: time in the mesh says nothing about misbehaviour.
		TimeInMeshQuantum: time.Second,
		// P2: a small bonus for delivering messages first, so meshes prefer
		// fast relays. At most 10 per topic (cap 20 × 0.5), 20 over all
		// topics (TopicScoreCap).
		FirstMessageDeliveriesWeight: 0.5,
		FirstMessageDeliveriesDecay:  decay(10 * time.Minute),
		FirstMessageDeliveriesCap:    20,
		// P3 and P3b off: a quiet topic (scheduling carries a message a slot
		// at most) would make honest mesh peers look like non-deliverers.
		// P4: invalid messages; see the table above.
		InvalidMessageDeliveriesWeight: InvalidWeight,
		InvalidMessageDeliveriesDecay:  decay(InvalidDecayTime),
	}
}

// peerScoreParams are the gossipsub scoring parameters for the given full
// topic names, with app as the application-specific score.
func peerScoreParams(app func(peer.ID) float64, topics []string) (*pubsub.PeerScoreParams, *pubsub.PeerScoreThresholds) {
	ts := make(map[string]*pubsub.TopicScoreParams, len(topics))
	for _, t := range topics {
		ts[t] = topicScoreParams()
	}
	params := &pubsub.PeerScoreParams{
		Topics:            ts,
		TopicScoreCap:     TopicScoreCap,
		AppSpecificScore:  app,
		AppSpecificWeight: 1,
		// P6 off: membership is gated by stake, so many peers behind one IP
		// are operators sharing a host or NAT, not a Sybil attack.
		IPColocationFactorWeight: 0,
		// P7 off: broken IWANT promises also come from honest peers whose
		// outbound queues overflow under a burst (counted in
		// validator_gossip_dropped_total), and must never graylist them.
		BehaviourPenaltyWeight: 0,
		BehaviourPenaltyDecay:  0.9,
		DecayInterval:          scoreDecayInterval,
		DecayToZero:            scoreDecayToZero,
		// Keep a disconnected peer's counters this long, so a flooder cannot
		// reset P4 by reconnecting.
		RetainScore: 10 * time.Minute,
	}
	thresholds := &pubsub.PeerScoreThresholds{
		GossipThreshold:   GossipThreshold,
		PublishThreshold:  PublishThreshold,
		GraylistThreshold: GraylistThreshold,
		// Peer exchange is off; no score is high enough to take PX from.
		AcceptPXThreshold:           math.MaxFloat64,
		OpportunisticGraftThreshold: OpportunisticGraftThreshold,
	}
	return params, thresholds
}

// ---------------------------------------------------------------- rate bound

// Per-peer rate bound defaults: messages validated per second from one
// forwarding peer, and the burst allowed above the rate.
const (
	DefaultPeerMessageRate  = 4000
	DefaultPeerMessageBurst = 8000
)

// peerLimiter is a token bucket per forwarding peer. Only registered peers
// reach it (the gater and pubsub's peer filter), so it holds at most one entry
// per registered node, and full buckets (peers quiet for burst/rate) are swept
// when it grows past sweepAt.
type peerLimiter struct {
	rate, burst float64

	mu      sync.Mutex
	buckets map[peer.ID]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newPeerLimiter(rate, burst int) *peerLimiter {
	return &peerLimiter{rate: float64(rate), burst: float64(max(burst, 1)), buckets: map[peer.ID]*bucket{}}
}

// allow takes one token from p's bucket.
func (l *peerLimiter) allow(p peer.ID, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[p]
	if !ok {
		if len(l.buckets) >= limiterSweepAt {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[p] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// wait takes a token from p's bucket, waiting up to limit for one to refill;
// false if none came in time or ctx ended.
func (l *peerLimiter) wait(ctx context.Context, p peer.ID, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		now := time.Now()
		if l.allow(p, now) {
			return true
		}
		d := time.Duration(float64(time.Second) / l.rate) // one token's refill
		if now.Add(d).After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
		}
	}
}

const limiterSweepAt = 1024

// sweep drops buckets that have refilled: a new bucket starts full anyway.
func (l *peerLimiter) sweep(now time.Time) {
	for p, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, p)
		}
	}
}

// ---------------------------------------------------------------- visibility

// Score bands of validator_p2p_gossip_peers, from best to worst.
var scoreBands = []string{"ok", "negative", "below_gossip", "below_publish", "graylisted"}

func scoreBand(s float64) string {
	switch {
	case s < GraylistThreshold:
		return "graylisted"
	case s < PublishThreshold:
		return "below_publish"
	case s < GossipThreshold:
		return "below_gossip"
	case s < 0:
		return "negative"
	default:
		return "ok"
	}
}

// scoring keeps the latest gossipsub scores for metrics, logs and the API, and
// counts probes that were not made.
type scoring struct {
	log     logger
	members Membership
	bands   *prometheus.GaugeVec
	skipped *prometheus.CounterVec
	// unresponsive counts connections closed after CloseAfterMisses missed
	// pings in a row (p2p/prober.go).
	unresponsive prometheus.Counter

	mu     sync.Mutex
	scores map[peer.ID]float64
	gray   map[peer.ID]bool
	// held: peers graylisted, and until when they stay so (GraylistHold).
	held map[peer.ID]time.Time
	now  func() time.Time
}

// app wraps the application score: a peer in its GraylistHold scores far
// under the threshold, so it stays graylisted until the hold ends.
func (sc *scoring) app(score func(peer.ID) float64) func(peer.ID) float64 {
	return func(p peer.ID) float64 {
		sc.mu.Lock()
		until, held := sc.held[p]
		sc.mu.Unlock()
		if held && sc.now().Before(until) {
			return 2 * GraylistThreshold
		}
		return score(p)
	}
}

type logger interface {
	Info(msg string, args ...any)
	Warn(msg string, args ...any)
}

// Reasons a probe was not made (validator_p2p_probes_skipped_total).
const (
	skipBanned  = "banned"
	skipNoAddrs = "no_addrs"
	skipBackoff = "backoff"
	skipGated   = "gated"
)

func newScoring(log logger, members Membership, reg prometheus.Registerer) (*scoring, error) {
	sc := &scoring{
		log: log, members: members, scores: map[peer.ID]float64{}, gray: map[peer.ID]bool{}, held: map[peer.ID]time.Time{}, now: time.Now,
		bands: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "validator_p2p_gossip_peers", Help: "Peers by gossipsub score band (ok >= 0; negative; below_gossip, below_publish: under those thresholds; graylisted: every RPC dropped). Only misbehaviour (invalid messages) makes a score negative.",
		}, []string{"score"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_probes_skipped_total", Help: "Liveness probes not made, and so not evidence, by reason (banned: this node refused the peer; no_addrs: no address known; backoff, gated: libp2p refused to dial).",
		}, []string{"reason"}),
	}
	sc.unresponsive = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "validator_p2p_unresponsive_closed_total", Help: "Connections closed because the peer missed liveness.offline_after pings in a row on them (the next probe dials afresh).",
	})
	for _, b := range scoreBands {
		sc.bands.WithLabelValues(b)
	}
	for _, r := range []string{skipBanned, skipNoAddrs, skipBackoff, skipGated} {
		sc.skipped.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{sc.bands, sc.skipped, sc.unresponsive} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register p2p scoring metrics: %w", err)
			}
		}
	}
	return sc, nil
}

// inspect is gossipsub's score inspector (pubsub.WithPeerScoreInspect).
func (sc *scoring) inspect(snap map[peer.ID]*pubsub.PeerScoreSnapshot) {
	counts := map[string]int{}
	now := sc.now()
	sc.mu.Lock()
	clear(sc.scores)
	for p, until := range sc.held {
		if now.After(until) {
			delete(sc.held, p)
		}
	}
	var entered, left []peer.ID
	for p, ps := range snap {
		sc.scores[p] = ps.Score
		counts[scoreBand(ps.Score)]++
		gray := ps.Score < GraylistThreshold
		if gray && !sc.gray[p] {
			entered = append(entered, p)
			sc.held[p] = now.Add(GraylistHold)
		} else if !gray && sc.gray[p] {
			left = append(left, p)
		}
		if gray {
			sc.gray[p] = true
		} else {
			delete(sc.gray, p)
		}
	}
	for p := range sc.gray {
		if _, ok := snap[p]; !ok {
			delete(sc.gray, p) // score forgotten (RetainScore passed)
		}
	}
	sc.mu.Unlock()
	for _, b := range scoreBands {
		sc.bands.WithLabelValues(b).Set(float64(counts[b]))
	}
	for _, p := range entered {
		ps := snap[p]
		invalid := 0.0
		for _, t := range ps.Topics {
			invalid += t.InvalidMessageDeliveries
		}
		m, _ := sc.members.ByPeer(p)
		sc.log.Warn("peer graylisted: it forwarded invalid gossip, its messages are dropped unread for at least "+GraylistHold.String(),
			"peer", p, "node", m.ID, "score", math.Round(ps.Score), "invalid_messages", math.Round(invalid))
	}
	for _, p := range left {
		m, _ := sc.members.ByPeer(p)
		sc.log.Info("peer no longer graylisted", "peer", p, "node", m.ID)
	}
}

// GossipScores is the latest gossipsub score of each scored peer (refreshed
// every second).
func (s *Service) GossipScores() map[peer.ID]float64 {
	s.sc.mu.Lock()
	defer s.sc.mu.Unlock()
	return maps.Clone(s.sc.scores)
}
