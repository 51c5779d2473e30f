// Package evidence is the liveness recorder and the evidence it keeps. The
// Recorder runs probe observations through reputation's state machine, writes
// transitions and per-interval summaries to the store, keeps scores current,
// tags peers for the connection manager, restores all of it after a restart,
// and owns the liveness metrics (validator_liveness_*, validator_reputation_score,
// validator_evidence_*): the package that changes a metric registers it.
// Build, Sign and Verify export evidence as JSON a third party can check, and
// the Exchange serves and asks for it over the evidence query protocol. It
// imports neither libp2p nor Badger: the node layer feeds it observations by
// node ID and adapts the p2p service to its Transport and Tagger.
package evidence

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"

	"validator/reputation"
	"validator/store"
)

// Option configures a Recorder.
type Option func(*config)

type config struct {
	score      reputation.ScoreConfig
	log        *slog.Logger
	reg        prometheus.Registerer
	now        func() time.Time
	keepMinute time.Duration
	active     func() bool
}

// WithScoreConfig sets the score windows and penalties.
func WithScoreConfig(c reputation.ScoreConfig) Option { return func(o *config) { o.score = c } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.log = l } }

// WithRegisterer registers the recorder's metrics.
func WithRegisterer(r prometheus.Registerer) Option { return func(o *config) { o.reg = r } }

// WithActive gates observations on this node's own registration: while active
// reports false (this node exited or is not in the registry view, so its
// peers refuse it), a failed probe says nothing about the peer, and Observe
// drops every observation, counted in
// validator_liveness_observations_dropped_total, instead of recording it.
// Without it every observation is recorded.
func WithActive(active func() bool) Option { return func(o *config) { o.active = active } }

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(o *config) { o.now = now } }

// Recorder keeps liveness evidence: tracker → store, scores, restore.
type Recorder struct {
	tracker *reputation.Tracker
	store   *store.Store
	cfg     config
	log     *slog.Logger
	m       *metrics

	mu      sync.RWMutex
	scores  map[common.Address]float64
	history map[common.Address]*history
}

// history is the evidence a score needs, kept in memory: recent summaries as
// they came, older ones merged per hour, nothing beyond the longest window.
type history struct {
	recent []reputation.Summary
	hourly []reputation.Summary
}

// NewRecorder records the evidence of tracker into st.
func NewRecorder(tracker *reputation.Tracker, st *store.Store, opts ...Option) (*Recorder, error) {
	cfg := config{score: reputation.DefaultScoreConfig(), log: slog.Default(), now: time.Now, keepMinute: 2 * time.Hour}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.score.Validate(); err != nil {
		return nil, fmt.Errorf("evidence recorder: %w", err)
	}
	m, err := newMetrics(cfg.reg)
	if err != nil {
		return nil, err
	}
	return &Recorder{
		tracker: tracker, store: st, cfg: cfg, log: cfg.log, m: m,
		scores: map[common.Address]float64{}, history: map[common.Address]*history{},
	}, nil
}

func (r *Recorder) longest() time.Duration {
	var l time.Duration
	for _, w := range r.cfg.score.Windows {
		l = max(l, w.Length)
	}
	return l
}

// Restore loads states, scores and the evidence behind them from the store.
// Call it before the first observation.
func (r *Recorder) Restore() (int, error) {
	peers, err := r.store.Peers()
	if err != nil {
		return 0, fmt.Errorf("restore peers: %w", err)
	}
	now := r.cfg.now()
	from := now.Add(-r.longest())
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range peers {
		r.tracker.Restore(p.Peer, reputation.State(p.State), p.Since)
		r.scores[p.Peer] = p.Score
		sums, err := r.store.Summaries(p.Peer, from, now)
		if err != nil {
			return 0, fmt.Errorf("restore evidence of %s: %w", p.Peer, err)
		}
		h := &history{}
		for _, s := range sums {
			h.add(toRep(s), now, r.cfg.keepMinute)
		}
		r.history[p.Peer] = h
		r.scores[p.Peer] = reputation.Score(h.all(), now, r.cfg.score)
	}
	r.updateGaugesLocked()
	return len(peers), nil
}

// Observe applies one probe result and records any state change (see
// WithActive for when it drops the result instead).
func (r *Recorder) Observe(o reputation.Observation) {
	if r.cfg.active != nil && !r.cfg.active() {
		r.m.dropped.Inc()
		return
	}
	changed := false
	for _, tr := range r.tracker.Observe(o) {
		r.m.transitions.WithLabelValues(tr.To.String()).Inc()
		if err := r.store.AddTransition(store.Transition{Peer: tr.Peer, At: tr.At, From: store.State(tr.From), To: store.State(tr.To), Reason: tr.Reason}); err != nil {
			r.m.writeErrors.Inc()
			r.log.Warn("evidence not written", "peer", tr.Peer, "err", err)
		}
		if tr.To == reputation.Offline || tr.From == reputation.Offline || tr.To == reputation.Unreached || tr.From == reputation.Unreached {
			r.log.Info("peer liveness changed", "node", tr.Peer, "from", tr.From, "to", tr.To, "reason", tr.Reason)
		} else {
			r.log.Debug("peer liveness changed", "node", tr.Peer, "from", tr.From, "to", tr.To, "reason", tr.Reason)
		}
		if err := r.store.PutPeers([]store.PeerRecord{{Peer: tr.Peer, State: store.State(tr.To), Since: tr.At, Score: r.Score(tr.Peer), UpdatedAt: r.cfg.now()}}); err != nil {
			r.m.writeErrors.Inc()
		}
		changed = true
	}
	if changed {
		r.updateStateGauges() // scores only change in Flush
	}
}

// Rejected records that a gossip message forwarded by peer was rejected.
func (r *Recorder) Rejected(peer common.Address) { r.tracker.Rejected(peer, r.cfg.now()) }

// Score is a peer's current score (reputation.NeutralScore if nothing is known).
func (r *Recorder) Score(peer common.Address) float64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if s, ok := r.scores[peer]; ok {
		return s
	}
	return reputation.NeutralScore
}

// Scores returns every known peer's score.
func (r *Recorder) Scores() map[common.Address]float64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[common.Address]float64, len(r.scores))
	for k, v := range r.scores {
		out[k] = v
	}
	return out
}

// States returns every known peer's liveness.
func (r *Recorder) States() map[common.Address]reputation.PeerState { return r.tracker.States() }

// Forget drops a peer that left the registry from the live state (its
// evidence stays in the store until retention removes it).
func (r *Recorder) Forget(peer common.Address) {
	r.tracker.Forget(peer)
	r.mu.Lock()
	delete(r.scores, peer)
	delete(r.history, peer)
	r.mu.Unlock()
	if err := r.store.DeletePeers([]common.Address{peer}); err != nil {
		r.m.writeErrors.Inc()
	}
	r.updateGauges()
}

// Tagger is the connection manager as the recorder sees it, by node ID.
type Tagger interface {
	// Connected lists the registered peers this node is connected to.
	Connected() []common.Address
	// Tag sets a peer's reputation tag.
	Tag(peer common.Address, value int)
}

// TagPeers tags every connected registered peer with its current score
// (reputation.ScoreToConnManagerTag), so the connection manager trims the
// least preferred first.
func (r *Recorder) TagPeers(t Tagger) {
	for _, p := range t.Connected() {
		t.Tag(p, reputation.ScoreToConnManagerTag(r.Score(p)))
	}
}

// Run flushes ended intervals to the store every interval and recomputes
// scores, then, if tags is not nil, tags the connected peers with them
// (TagPeers); until ctx ends, when it flushes once more.
func (r *Recorder) Run(ctx context.Context, interval time.Duration, tags Tagger) error {
	if interval <= 0 {
		return errors.New("evidence recorder: interval must be > 0")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			r.Flush()
			return nil
		case <-t.C:
			r.Flush()
			if tags != nil {
				r.TagPeers(tags)
			}
		}
	}
}

// Flush writes the summaries of ended intervals and updates scores.
func (r *Recorder) Flush() {
	now := r.cfg.now()
	sums := r.tracker.Flush(now)
	if len(sums) > 0 {
		batch := make([]store.Summary, len(sums))
		for i, s := range sums {
			batch[i] = store.Summary(s)
		}
		if err := r.store.AddSummaries(batch); err != nil {
			r.m.writeErrors.Inc()
			r.log.Warn("evidence summaries not written", "count", len(batch), "err", err)
		}
	}
	r.mu.Lock()
	for _, s := range sums {
		h := r.history[s.Peer]
		if h == nil {
			h = &history{}
			r.history[s.Peer] = h
		}
		h.add(s, now, r.cfg.keepMinute)
	}
	var recs []store.PeerRecord
	states := r.tracker.States()
	for peer, h := range r.history {
		h.trim(now, r.longest())
		score := reputation.Score(h.all(), now, r.cfg.score)
		r.scores[peer] = score
		st := states[peer]
		recs = append(recs, store.PeerRecord{Peer: peer, State: store.State(st.State), Since: st.Since, Score: score, UpdatedAt: now})
	}
	r.updateGaugesLocked()
	r.mu.Unlock()
	sort.Slice(recs, func(i, j int) bool { return recs[i].Peer.Cmp(recs[j].Peer) < 0 })
	if len(recs) > 0 {
		if err := r.store.PutPeers(recs); err != nil {
			r.m.writeErrors.Inc()
			r.log.Warn("peer states not written", "err", err)
		}
	}
}

// updateGauges refreshes peers-by-state and the score distribution.
func (r *Recorder) updateGauges() {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.updateGaugesLocked()
}

func (r *Recorder) updateGaugesLocked() {
	r.updateStateGauges()
	scores := make(map[[20]byte]float64, len(r.scores))
	for k, v := range r.scores {
		scores[k] = v
	}
	r.m.setScores(scores)
}

// updateStateGauges refreshes peers-by-state (the tracker is safe for
// concurrent use; no recorder lock is needed).
func (r *Recorder) updateStateGauges() {
	counts := map[reputation.State]int{}
	for _, st := range r.tracker.States() {
		counts[st.State]++
	}
	for _, s := range reputation.States {
		r.m.peers.WithLabelValues(s.String()).Set(float64(counts[s]))
	}
}

func toRep(s store.Summary) reputation.Summary { return reputation.Summary(s) }

// add keeps s, merging summaries older than keep into hourly ones.
func (h *history) add(s reputation.Summary, now time.Time, keep time.Duration) {
	h.recent = append(h.recent, s)
	cut := now.Add(-keep)
	i := 0
	for ; i < len(h.recent) && h.recent[i].End.Before(cut); i++ {
		h.merge(h.recent[i])
	}
	h.recent = h.recent[i:]
}

func (h *history) merge(s reputation.Summary) {
	hour := s.Start.Truncate(time.Hour)
	if n := len(h.hourly); n > 0 && h.hourly[n-1].Start.Truncate(time.Hour).Equal(hour) {
		m := &h.hourly[n-1]
		m.End = maxTime(m.End, s.End)
		m.PingsSent += s.PingsSent
		m.PingsAnswered += s.PingsAnswered
		m.Offline += s.Offline
		m.Rejected += s.Rejected
		return
	}
	h.hourly = append(h.hourly, s)
}

func (h *history) trim(now time.Time, longest time.Duration) {
	cut := now.Add(-longest)
	i := 0
	for ; i < len(h.hourly) && h.hourly[i].End.Before(cut); i++ {
	}
	h.hourly = h.hourly[i:]
}

func (h *history) all() []reputation.Summary {
	out := make([]reputation.Summary, 0, len(h.hourly)+len(h.recent))
	return append(append(out, h.hourly...), h.recent...)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
