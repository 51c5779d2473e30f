package reputation

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// State is a peer's liveness state.
type State uint8

const (
	// Unknown: nothing decisive seen yet.
	Unknown State = iota
	// Responsive: answering, RTT average normal.
	Responsive
	// Slow: answering, RTT average high. Never penalised.
	Slow
	// Offline: OfflineAfter consecutive probes failed after the peer had been
	// reached at least once; accrues offline time.
	Offline
	// Unreached: OfflineAfter consecutive probes failed and the peer has never
	// answered since it was first tracked (a node registered before it was
	// started, or one this node has never reached). Accrues no offline time:
	// nothing shows it was ever up, so nothing shows it went down.
	Unreached
)

func (s State) String() string {
	switch s {
	case Unknown:
		return "unknown"
	case Responsive:
		return "responsive"
	case Slow:
		return "slow"
	case Offline:
		return "offline"
	case Unreached:
		return "unreached"
	default:
		return "state(" + strconv.Itoa(int(s)) + ")"
	}
}

// Transition reasons. They are bounded (missed_N_pings always has N equal to
// Config.OfflineAfter), so they are safe as metric label values.
const (
	// ReasonRTTAboveSlow: the RTT average rose above SlowRTT.
	ReasonRTTAboveSlow = "rtt_above_slow"
	// ReasonRTTRecovered: the RTT average fell below SlowRTT*SlowExit.
	ReasonRTTRecovered = "rtt_recovered"
	// ReasonAnswered: a ping was answered by an Unknown or Offline peer.
	ReasonAnswered = "answered"
	// ReasonUnreachable: the probe that made the peer Offline was a failed dial.
	ReasonUnreachable = "unreachable"
	// ReasonNeverReached: OfflineAfter probes failed and the peer has never
	// answered (Unknown -> Unreached).
	ReasonNeverReached = "never_reached"
)

// States is every State, in numeric order (for pre-initialised metric labels).
var States = []State{Unknown, Responsive, Slow, Offline, Unreached}

// ReasonMissed is the reason for going Offline after n consecutive failed
// probes, the last of which was a missed ping: "missed_<n>_pings".
func ReasonMissed(n int) string { return "missed_" + strconv.Itoa(n) + "_pings" }

// ErrInvalidConfig is wrapped by NewTracker's and ScoreConfig.Validate's errors.
var ErrInvalidConfig = errors.New("invalid reputation config")

// Default values of Config.Alpha and Config.SlowExit, used when they are zero.
const (
	DefaultAlpha    = 0.3
	DefaultSlowExit = 0.8
)

// Config configures a Tracker.
type Config struct {
	// SlowRTT: an RTT average above it makes a peer Slow.
	SlowRTT time.Duration
	// OfflineAfter consecutive failed probes (misses or unreachables) make a
	// peer Offline. At least 1.
	OfflineAfter int
	// Alpha is the weight of a new RTT sample in the moving average, in (0, 1];
	// 1 means the average is the last sample. Zero means DefaultAlpha.
	Alpha float64
	// SlowExit, in (0, 1], is the hysteresis: a Slow peer becomes Responsive
	// only when its average drops below SlowRTT*SlowExit. Zero means
	// DefaultSlowExit.
	SlowExit float64
	// Interval is the evidence summary interval.
	Interval time.Duration
}

// DefaultConfig is a complete Config with the daemon's defaults.
func DefaultConfig() Config {
	return Config{
		SlowRTT:      500 * time.Millisecond,
		OfflineAfter: 3,
		Alpha:        DefaultAlpha,
		SlowExit:     DefaultSlowExit,
		Interval:     time.Minute,
	}
}

func (c *Config) validate() error {
	if c.Alpha == 0 {
		c.Alpha = DefaultAlpha
	}
	if c.SlowExit == 0 {
		c.SlowExit = DefaultSlowExit
	}
	switch {
	case c.SlowRTT <= 0:
		return fmt.Errorf("%w: SlowRTT must be positive, got %s", ErrInvalidConfig, c.SlowRTT)
	case c.OfflineAfter < 1:
		return fmt.Errorf("%w: OfflineAfter must be at least 1, got %d", ErrInvalidConfig, c.OfflineAfter)
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return fmt.Errorf("%w: Alpha must be in (0, 1], got %v", ErrInvalidConfig, c.Alpha)
	case !(c.SlowExit > 0 && c.SlowExit <= 1):
		return fmt.Errorf("%w: SlowExit must be in (0, 1], got %v", ErrInvalidConfig, c.SlowExit)
	case c.Interval <= 0:
		return fmt.Errorf("%w: Interval must be positive, got %s", ErrInvalidConfig, c.Interval)
	}
	return nil
}

// Observation is the result of one liveness probe of a registered peer.
type Observation struct {
	Peer common.Address
	At   time.Time
	// RTT of the answered ping. Ignored when Miss or Unreachable is set.
	RTT time.Duration
	// Miss: connected, but the ping timed out or failed.
	Miss bool
	// Unreachable: registered but not connected and could not be dialled.
	// Counts as a failed probe, exactly like Miss.
	Unreachable bool
}

// Transition is a change of a peer's state.
type Transition struct {
	Peer     common.Address
	At       time.Time
	From, To State
	Reason   string
}

// Summary is a peer's evidence for one interval [Start, End), or for a run of
// whole intervals in which the peer was Offline throughout with no probes and no
// rejections.
type Summary struct {
	Peer       common.Address
	Start, End time.Time
	// PingsSent counts probes: answered and missed pings, and failed dials
	// (Unreachable). PingsAnswered counts the answered ones.
	PingsSent, PingsAnswered uint32
	// RTT statistics over the answered pings; zero when none was answered.
	RTTMin, RTTMean, RTTMax time.Duration
	// Offline is the time within [Start, End) the peer spent Offline.
	Offline time.Duration
	// Rejected counts gossip messages from the peer that validation rejected.
	Rejected uint32
}

// PeerState is a peer's current liveness, for status reporting.
type PeerState struct {
	State State
	// Since is when the peer entered State (first seen, for Unknown).
	Since time.Time
	// RTT is the RTT moving average; zero before the first answer.
	RTT time.Duration
	// Misses is the number of consecutive failed probes.
	Misses int
}

// Tracker runs the per-peer liveness state machine and accounts evidence. It is
// safe for concurrent use.
type Tracker struct {
	cfg Config

	mu      sync.Mutex
	peers   map[common.Address]*entry
	pending []Summary // summaries of ended intervals, until Flush
}

type entry struct {
	state State
	since time.Time
	// live is the RTT class (Unknown, Responsive or Slow); it survives Offline
	// so the hysteresis applies when the peer comes back.
	live State
	// reached: the peer has answered at least once (or was restored in a
	// state that says so). Only a reached peer can go Offline.
	reached bool
	avg     float64 // RTT EWMA in nanoseconds, valid when hasAvg
	hasAvg  bool
	misses  int

	// Accounting; valid when acct. A restored peer has none until its first
	// observation after the restart.
	acct    bool
	last    time.Time // latest time applied to this peer
	cur     bucket
	offFrom time.Time // while Offline: start of offline time not yet added to cur
}

type bucket struct {
	start, end               time.Time
	sent, answered, rejected uint32
	rttMin, rttMax, rttSum   time.Duration
	offline                  time.Duration
}

// NewTracker validates cfg and returns an empty Tracker.
func NewTracker(cfg Config) (*Tracker, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Tracker{cfg: cfg, peers: make(map[common.Address]*entry)}, nil
}

// Config returns the effective configuration (defaults applied).
func (t *Tracker) Config() Config { return t.cfg }

// Observe applies one probe result and returns the transition it caused, if any
// (at most one).
func (t *Tracker) Observe(o Observation) []Transition {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, at := t.touch(o.Peer, o.At)
	p.cur.sent = satInc(p.cur.sent)

	if o.Miss || o.Unreachable {
		if p.misses < math.MaxInt32 {
			p.misses++
		}
		if p.state == Offline || p.state == Unreached || p.misses < t.cfg.OfflineAfter {
			return nil
		}
		if !p.reached {
			return []Transition{p.move(o.Peer, at, Unreached, ReasonNeverReached)}
		}
		reason := ReasonMissed(p.misses)
		if o.Unreachable {
			reason = ReasonUnreachable
		}
		p.offFrom = at
		return []Transition{p.move(o.Peer, at, Offline, reason)}
	}

	rtt := max(o.RTT, 0)
	b := &p.cur
	if b.answered == 0 || rtt < b.rttMin {
		b.rttMin = rtt
	}
	b.rttMax = max(b.rttMax, rtt)
	b.rttSum += rtt
	b.answered = satInc(b.answered)
	p.misses = 0
	p.reached = true
	if p.hasAvg {
		p.avg = t.cfg.Alpha*float64(rtt) + (1-t.cfg.Alpha)*p.avg
	} else {
		p.avg, p.hasAvg = float64(rtt), true
	}

	prevLive := p.live
	p.live = t.classify(prevLive, p.avg)
	from := p.state
	if from == Offline {
		b.offline += at.Sub(p.offFrom)
	}
	if p.live == from {
		return nil
	}
	var reason string
	switch {
	case from == Offline, from == Unreached:
		reason = ReasonAnswered
	case p.live == Slow:
		reason = ReasonRTTAboveSlow
	case from == Slow:
		reason = ReasonRTTRecovered
	default: // Unknown -> Responsive
		reason = ReasonAnswered
	}
	return []Transition{p.move(o.Peer, at, p.live, reason)}
}

// classify returns the RTT class for average avg given the previous class.
func (t *Tracker) classify(prev State, avg float64) State {
	slow := float64(t.cfg.SlowRTT)
	if prev == Slow {
		if avg < slow*t.cfg.SlowExit {
			return Responsive
		}
		return Slow
	}
	if avg > slow {
		return Slow
	}
	return Responsive
}

func (p *entry) move(id common.Address, at time.Time, to State, reason string) Transition {
	tr := Transition{Peer: id, At: at, From: p.state, To: to, Reason: reason}
	p.state, p.since = to, at
	return tr
}

// Rejected records that validation rejected a gossip message from peer.
func (t *Tracker) Rejected(peer common.Address, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, _ := t.touch(peer, at)
	p.cur.rejected = satInc(p.cur.rejected)
}

// touch returns the peer (created Unknown if new) with its accounting rolled
// forward to at, and the effective time of the event (never earlier than the
// last one applied to the peer). Callers hold t.mu.
func (t *Tracker) touch(id common.Address, at time.Time) (*entry, time.Time) {
	at = at.Round(0) // wall clock only, comparable with interval boundaries
	p, ok := t.peers[id]
	if !ok {
		p = &entry{since: at}
		t.peers[id] = p
	}
	if !p.acct {
		p.acct, p.last = true, at
		p.cur = t.newBucket(at)
		p.offFrom = at
		return p, at
	}
	if at.Before(p.last) {
		at = p.last
	}
	t.roll(p, id, at)
	p.last = at
	return p, at
}

func (t *Tracker) newBucket(at time.Time) bucket {
	return bucket{start: at, end: at.Truncate(t.cfg.Interval).Add(t.cfg.Interval)}
}

// roll closes the peer's intervals that end at or before to, queueing their
// summaries. Callers hold t.mu.
func (t *Tracker) roll(p *entry, id common.Address, to time.Time) {
	if p.cur.end.After(to) {
		return
	}
	iv := t.cfg.Interval
	if p.state == Offline {
		p.cur.offline += p.cur.end.Sub(p.offFrom)
		p.offFrom = p.cur.end
	}
	next := p.cur.end
	// Whole intervals between the closed one and the one holding to saw no
	// event (events roll first); only an Offline peer has evidence in them.
	// They join the closed interval if it, too, was silent and offline.
	if b := to.Truncate(iv); b.After(next) && p.state == Offline {
		silent := p.cur.sent == 0 && p.cur.rejected == 0 && p.cur.offline == p.cur.end.Sub(p.cur.start)
		if !silent {
			t.emit(id, &p.cur)
			p.cur = bucket{start: next}
		}
		p.cur.end, p.cur.offline = b, b.Sub(p.cur.start)
		p.offFrom, next = b, b
	} else if b.After(next) {
		next = b
	}
	t.emit(id, &p.cur)
	p.cur = bucket{start: next, end: next.Add(iv)}
}

func (t *Tracker) emit(id common.Address, b *bucket) {
	if b.sent == 0 && b.rejected == 0 && b.offline == 0 {
		return
	}
	s := Summary{
		Peer: id, Start: b.start, End: b.end,
		PingsSent: b.sent, PingsAnswered: b.answered,
		Offline: b.offline, Rejected: b.rejected,
	}
	if b.answered > 0 {
		s.RTTMin, s.RTTMax = b.rttMin, b.rttMax
		s.RTTMean = b.rttSum / time.Duration(b.answered)
	}
	t.pending = append(t.pending, s)
}

// Flush closes every interval that has ended by now and returns their
// summaries, ordered by Start and then peer. Each summary is returned once. The
// caller persists them and should Flush at least once per Interval; summaries
// wait in memory until then.
func (t *Tracker) Flush(now time.Time) []Summary {
	now = now.Round(0)
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, p := range t.peers {
		if p.acct && now.After(p.last) {
			t.roll(p, id, now)
			p.last = now
		}
	}
	out := t.pending
	t.pending = nil
	slices.SortFunc(out, func(a, b Summary) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return bytes.Compare(a.Peer[:], b.Peer[:])
	})
	return out
}

// State returns the peer's state and since when it has held it; ok is false for
// a peer the tracker does not know.
func (t *Tracker) State(peer common.Address) (s State, since time.Time, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.peers[peer]
	if !ok {
		return Unknown, time.Time{}, false
	}
	return p.state, p.since, true
}

// States returns a snapshot of every known peer.
func (t *Tracker) States() map[common.Address]PeerState {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[common.Address]PeerState, len(t.peers))
	for id, p := range t.peers {
		ps := PeerState{State: p.state, Since: p.since, Misses: p.misses}
		if p.hasAvg {
			ps.RTT = time.Duration(p.avg)
		}
		out[id] = ps
	}
	return out
}

// Restore seeds a peer's state after a restart, from the store. It is ignored
// for a peer the tracker already knows (live evidence is newer than the store)
// and for an invalid state. A restored Offline peer needs one answered ping to
// come back and does not go Offline again on further misses; it accrues
// offline time only from its first observation after the restart. A restored
// Unreached or Unknown peer has not been reached, so it can become Unreached
// but not Offline until it answers.
func (t *Tracker) Restore(peer common.Address, s State, since time.Time) {
	if s > Unreached {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.peers[peer]; ok {
		return
	}
	p := &entry{state: s, since: since.Round(0), reached: s == Responsive || s == Slow || s == Offline}
	if s == Responsive || s == Slow {
		p.live = s
	}
	t.peers[peer] = p
}

// Forget drops a peer that left the registry. Summaries already closed (by an
// Observe, Rejected or Flush after their interval ended) are still returned by
// the next Flush; the peer's open interval is dropped.
func (t *Tracker) Forget(peer common.Address) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.peers, peer)
}

func satInc(n uint32) uint32 {
	if n == math.MaxUint32 {
		return n
	}
	return n + 1
}
