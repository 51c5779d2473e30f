package accountability

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"validator/chain"
)

// Member is an active registered node as the service needs it.
type Member struct {
	ID common.Address
	// ActiveSince is when the node last became active; its attestations count
	// only for windows that began at or after it.
	ActiveSince time.Time
}

// View is this node's view of the registry's active set.
type View interface {
	Active() []Member
}

// Evidence is this node's own liveness evidence.
type Evidence interface {
	// Offline is how long this node saw peer offline within [from, to).
	Offline(peer common.Address, from, to time.Time) (time.Duration, error)
}

// NodeWindow names a node's report window and how many attestations about it
// are kept.
type NodeWindow struct {
	Node   common.Address
	Window uint64
	Count  int
}

// Submission states.
const (
	// SubmissionSending is written before the transaction is sent, so that a
	// restart never sends a second one.
	SubmissionSending = "sending"
	SubmissionSent    = "sent"
	SubmissionFailed  = "failed"
	// SubmissionReported: the registry had the report already (another
	// attester sent it) when this node's turn came.
	SubmissionReported = "reported"
)

// Submission is this node's record of a report it sent or decided not to.
type Submission struct {
	Node   common.Address
	Window uint64
	State  string
	TxHash common.Hash
	At     time.Time
	Err    string
}

// Store keeps attestations and submissions across restarts.
type Store interface {
	// PutAttestation keeps a; false if one by the same attester about the
	// same node and window is kept already.
	PutAttestation(a Attestation, received time.Time) (bool, error)
	// Attestations are those kept about node in window, by attester.
	Attestations(node common.Address, window uint64) ([]Attestation, error)
	// Windows are the node-windows with attestations, from window from on.
	Windows(from uint64) ([]NodeWindow, error)
	// Prune forgets attestations and submissions of windows before before.
	Prune(before uint64) error
	Submission(node common.Address, window uint64) (Submission, bool, error)
	PutSubmission(s Submission) error
}

// Reporter sends reports to the registry.
type Reporter interface {
	// Reported says whether the registry has node's report for window, or no
	// longer lists node as active (so that no report can be made).
	Reported(ctx context.Context, node common.Address, window uint64) (bool, error)
	// Report sends the report and waits for it to be mined.
	Report(ctx context.Context, node common.Address, window uint64, atts []Attestation) (common.Hash, error)
}

// Config configures a Service.
type Config struct {
	Domain Domain
	// Key is this node's key: it signs attestations; its address is Self.
	Key *ecdsa.PrivateKey
	// Submit: this node's operator opted in to sending reports.
	Submit bool
	// Backoff is how long the attester ranked r waits, r times over, after a
	// quorum is seen before it sends the report itself.
	Backoff time.Duration
	// Settle is how long after a window ends this node waits for its own
	// evidence of the window to be written before it attests.
	Settle time.Duration
	// Tick is how often the service looks at windows and candidates.
	Tick time.Duration

	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Service signs, keeps and aggregates attestations and submits reports.
type Service struct {
	cfg      Config
	self     common.Address
	view     View
	evidence Evidence
	store    Store
	reporter Reporter
	publish  func(context.Context, []byte) error
	log      *slog.Logger
	m        *metrics

	mu       sync.Mutex
	attested uint64 // the last window this node attested (0: none yet)
	pending  map[nodeWindow]*candidate
}

type nodeWindow struct {
	node   common.Address
	window uint64
}

// candidate is a node-window with attestations, followed until it is reported
// or past its deadline.
type candidate struct {
	readyAt time.Time // when this node first saw a quorum (zero: not yet)
	done    bool
}

// New returns a service; reporter may be nil when cfg.Submit is false.
func New(cfg Config, view View, ev Evidence, st Store, reporter Reporter, publish func(context.Context, []byte) error) (*Service, error) {
	if cfg.Key == nil {
		return nil, errors.New("accountability: no node key")
	}
	if cfg.Domain.ChainID == nil || cfg.Domain.Params.ReportWindow < time.Second || cfg.Domain.Params.CommitteeSize == 0 {
		return nil, errors.New("accountability: registry parameters not set")
	}
	if cfg.Submit && reporter == nil {
		return nil, errors.New("accountability: submit is on but there is no operator account to send reports from")
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 30 * time.Second
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 15 * time.Second
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	return &Service{
		cfg: cfg, self: crypto.PubkeyToAddress(cfg.Key.PublicKey), view: view, evidence: ev, store: st,
		reporter: reporter, publish: publish, log: cfg.Logger, m: m, pending: map[nodeWindow]*candidate{},
	}, nil
}

// Run attests each window as it ends and submits reports whose quorum is
// reached, until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	d := s.cfg.Domain
	now := s.cfg.Now()
	// After a restart: follow every node-window still reportable, and do not
	// attest windows that ended before the last one.
	if cur := d.Window(now); cur > 1 {
		s.mu.Lock()
		s.attested = cur - 2
		s.mu.Unlock()
	}
	if err := s.recover(now); err != nil {
		return err
	}
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		s.step(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// recover follows the node-windows kept in the store that are still reportable.
func (s *Service) recover(now time.Time) error {
	from := s.oldestReportable(now)
	ws, err := s.store.Windows(from)
	if err != nil {
		return fmt.Errorf("read attestations: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range ws {
		s.pending[nodeWindow{w.Node, w.Window}] = &candidate{}
	}
	return nil
}

// oldestReportable is the oldest window whose deadline has not passed at now.
func (s *Service) oldestReportable(now time.Time) uint64 {
	d := s.cfg.Domain
	cur := d.Window(now)
	back := uint64((d.Params.ReportDeadline + d.Params.ReportWindow - 1) / d.Params.ReportWindow)
	if cur <= back+1 {
		return 0
	}
	return cur - back - 1
}

// step attests the windows that ended, then looks at every candidate.
func (s *Service) step(ctx context.Context) {
	now := s.cfg.Now()
	d := s.cfg.Domain
	cur := d.Window(now)
	s.mu.Lock()
	next := s.attested + 1
	s.mu.Unlock()
	for w := next; w < cur && !now.Before(d.End(w).Add(s.cfg.Settle)); w++ {
		if now.After(d.Deadline(w)) {
			s.setAttested(w)
			continue
		}
		s.attest(ctx, w, now)
		s.setAttested(w)
	}
	s.consider(ctx, now)
	if from := s.oldestReportable(now); from > 0 {
		if err := s.store.Prune(from); err != nil {
			s.log.Warn("prune attestations", "err", err)
		}
	}
}

func (s *Service) setAttested(w uint64) {
	s.mu.Lock()
	s.attested = max(s.attested, w)
	s.mu.Unlock()
}

// attest signs and gossips this node's attestations of window w: one for
// each active peer whose committee it sits in and that its own evidence saw
// offline at least the threshold.
func (s *Service) attest(ctx context.Context, w uint64, now time.Time) {
	d := s.cfg.Domain
	active := s.view.Active()
	me, ok := index(active)[s.self]
	if !ok || me.ActiveSince.After(d.Start(w)) {
		// The registry would not count our attestations for this window.
		s.m.windows.WithLabelValues("not_eligible").Inc()
		return
	}
	s.m.windows.WithLabelValues("attested").Inc()
	observers := len(active) - 1
	for _, peer := range active {
		if peer.ID == s.self || !chain.InCommittee(d.ChainID, d.Registry, peer.ID, w, s.self, observers, d.Params.CommitteeSize) {
			continue
		}
		off, err := s.evidence.Offline(peer.ID, d.Start(w), d.End(w))
		if err != nil {
			s.log.Warn("read own evidence", "peer", peer.ID, "window", w, "err", err)
			continue
		}
		secs := uint64(off / time.Second)
		if secs < d.Threshold() {
			continue
		}
		secs = min(secs, uint64(d.Params.ReportWindow/time.Second))
		sig, err := chain.SignAttestation(s.cfg.Key, d.ChainID, d.Registry, peer.ID, w, secs)
		if err != nil {
			s.log.Error("sign attestation", "err", err)
			continue
		}
		a := Attestation{Node: peer.ID, Window: w, Attester: s.self, OfflineSeconds: secs, Signature: sig}
		s.m.signed.Inc()
		s.log.Info("attesting a peer offline", "peer", peer.ID, "window", w, "offline", time.Duration(secs)*time.Second)
		s.keep(a, now)
		if s.publish != nil {
			if err := s.publish(ctx, Encode(a)); err != nil {
				// Kept: a quorum may still form from others' attestations and
				// ours goes into the report if this node submits it.
				s.m.publishFailed.Inc()
				s.log.Warn("gossip attestation", "peer", peer.ID, "window", w, "err", err)
			}
		}
	}
}

// Receive keeps an attestation that arrived by gossip, already checked
// (Domain.Check) by the topic's validator.
func (s *Service) Receive(a Attestation) {
	s.keep(a, s.cfg.Now())
}

func (s *Service) keep(a Attestation, now time.Time) {
	added, err := s.store.PutAttestation(a, now)
	switch {
	case err != nil:
		s.m.received.WithLabelValues("error").Inc()
		s.log.Warn("keep attestation", "node", a.Node, "window", a.Window, "attester", a.Attester, "err", err)
		return
	case !added:
		s.m.received.WithLabelValues("duplicate").Inc()
		return
	}
	s.m.received.WithLabelValues("kept").Inc()
	k := nodeWindow{a.Node, a.Window}
	s.mu.Lock()
	if _, ok := s.pending[k]; !ok {
		s.pending[k] = &candidate{}
	}
	s.mu.Unlock()
}

// consider looks at every followed node-window: forgets those past their
// deadline or reported, and submits those whose quorum is met when this
// node's turn has come.
func (s *Service) consider(ctx context.Context, now time.Time) {
	d := s.cfg.Domain
	s.mu.Lock()
	keys := make([]nodeWindow, 0, len(s.pending))
	for k, c := range s.pending {
		if c.done || now.After(d.Deadline(k.window)) {
			delete(s.pending, k)
			continue
		}
		keys = append(keys, k)
	}
	s.mu.Unlock()
	slices.SortFunc(keys, func(a, b nodeWindow) int {
		if a.window != b.window {
			return int(a.window - b.window)
		}
		return bytes.Compare(a.node[:], b.node[:])
	})
	active := index(s.view.Active())
	ready := 0
	for _, k := range keys {
		if ctx.Err() != nil {
			return
		}
		q, err := s.quorum(k, active, now)
		if err != nil {
			s.log.Warn("count attestations", "node", k.node, "window", k.window, "err", err)
			continue
		}
		if !q.met() {
			continue
		}
		ready++
		s.mu.Lock()
		c := s.pending[k]
		if c != nil && c.readyAt.IsZero() {
			c.readyAt = now
		}
		s.mu.Unlock()
		if c == nil || !s.cfg.Submit {
			continue
		}
		rank := slices.Index(q.attesters(), s.self)
		if rank < 0 || now.Before(c.readyAt.Add(time.Duration(rank)*s.cfg.Backoff)) {
			continue
		}
		if s.submit(ctx, k, q, now) {
			s.mu.Lock()
			c.done = true
			s.mu.Unlock()
		}
	}
	s.m.ready.Set(float64(ready))
}

// Quorum is what a node-window's attestations amount to under the current
// registry view.
type Quorum struct {
	Node   common.Address
	Window uint64
	// Eligible are the attestations the registry would count now, in the
	// submission order (see rankKey).
	Eligible []Attestation
	// Kept is how many attestations are kept in all.
	Kept int
	// Needed is the quorum.
	Needed int
}

func (q Quorum) met() bool { return q.Needed > 0 && len(q.Eligible) >= q.Needed }

func (q Quorum) attesters() []common.Address {
	out := make([]common.Address, len(q.Eligible))
	for i, a := range q.Eligible {
		out[i] = a.Attester
	}
	return out
}

// quorum counts the attestations about k that the registry would accept with
// the active set as it is: the node is active, every attester is active since
// before the window began and in the node's committee, and each attestation
// checks (Domain.Check).
func (s *Service) quorum(k nodeWindow, active members, now time.Time) (Quorum, error) {
	d := s.cfg.Domain
	q := Quorum{Node: k.node, Window: k.window}
	atts, err := s.store.Attestations(k.node, k.window)
	if err != nil {
		return q, err
	}
	q.Kept = len(atts)
	if _, ok := active[k.node]; !ok {
		return q, nil
	}
	observers := len(active) - 1
	q.Needed = chain.Quorum(observers, d.Params.CommitteeSize)
	for _, a := range atts {
		m, ok := active[a.Attester]
		if !ok || m.ActiveSince.After(d.Start(k.window)) {
			continue
		}
		if !chain.InCommittee(d.ChainID, d.Registry, k.node, k.window, a.Attester, observers, d.Params.CommitteeSize) {
			continue
		}
		if d.Check(a, now) != nil {
			continue
		}
		q.Eligible = append(q.Eligible, a)
	}
	slices.SortFunc(q.Eligible, func(a, b Attestation) int {
		return bytes.Compare(rankKey(k, a.Attester), rankKey(k, b.Attester))
	})
	return q, nil
}

// rankKey orders a node-window's attesters for submission: keccak256(node ||
// window || attester), so the order differs per report and no attester
// always pays.
func rankKey(k nodeWindow, attester common.Address) []byte {
	var w [8]byte
	for i := range 8 {
		w[7-i] = byte(k.window >> (8 * i))
	}
	return crypto.Keccak256(k.node[:], w[:], attester[:])
}

// submit sends k's report unless this node already did (before a restart) or
// the registry has it. It reports whether k is settled for this node.
func (s *Service) submit(ctx context.Context, k nodeWindow, q Quorum, now time.Time) bool {
	if prev, ok, err := s.store.Submission(k.node, k.window); err != nil {
		s.log.Warn("read submission", "node", k.node, "window", k.window, "err", err)
		return false
	} else if ok {
		s.log.Debug("report already handled", "node", k.node, "window", k.window, "state", prev.State)
		return true
	}
	reported, err := s.reporter.Reported(ctx, k.node, k.window)
	if err != nil {
		s.log.Warn("read the registry", "node", k.node, "window", k.window, "err", err)
		return false
	}
	rec := Submission{Node: k.node, Window: k.window, At: now}
	if reported {
		rec.State = SubmissionReported
		s.m.reports.WithLabelValues(SubmissionReported).Inc()
		if err := s.store.PutSubmission(rec); err != nil {
			s.log.Warn("record submission", "err", err)
		}
		return true
	}
	rec.State = SubmissionSending
	if err := s.store.PutSubmission(rec); err != nil {
		// Without the record a restart could send twice: do not send.
		s.log.Error("record submission before sending; not sending", "node", k.node, "window", k.window, "err", err)
		return false
	}
	s.log.Info("reporting a node offline", "node", k.node, "window", k.window, "attesters", q.Needed, "quorum", q.Needed)
	tx, err := s.reporter.Report(ctx, k.node, k.window, q.Eligible[:q.Needed])
	rec.TxHash, rec.At = tx, s.cfg.Now()
	if err != nil {
		rec.State, rec.Err = SubmissionFailed, err.Error()
		s.m.reports.WithLabelValues(SubmissionFailed).Inc()
		s.log.Warn("report offline", "node", k.node, "window", k.window, "err", err)
	} else {
		rec.State = SubmissionSent
		s.m.reports.WithLabelValues(SubmissionSent).Inc()
		s.log.Info("reported a node offline", "node", k.node, "window", k.window, "tx", tx)
	}
	if err := s.store.PutSubmission(rec); err != nil {
		s.log.Warn("record submission", "err", err)
	}
	return true
}

// Quorums is the state of every followed node-window (for the API).
func (s *Service) Quorums() ([]Quorum, error) {
	now := s.cfg.Now()
	ws, err := s.store.Windows(s.oldestReportable(now))
	if err != nil {
		return nil, err
	}
	active := index(s.view.Active())
	out := make([]Quorum, 0, len(ws))
	for _, w := range ws {
		q, err := s.quorum(nodeWindow{w.Node, w.Window}, active, now)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// members indexes the active set by node ID.
type members map[common.Address]Member

func index(ms []Member) members {
	out := make(members, len(ms))
	for _, m := range ms {
		out[m.ID] = m
	}
	return out
}
