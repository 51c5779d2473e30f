package reputation_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/reputation"
)

var (
	t0    = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	peerA = common.HexToAddress("0xa1")
	peerB = common.HexToAddress("0xb2")
)

const ms = time.Millisecond

func newTracker(t testing.TB, cfg reputation.Config) *reputation.Tracker {
	t.Helper()
	tr, err := reputation.NewTracker(cfg)
	if err != nil {
		t.Fatalf("NewTracker: %v", err)
	}
	return tr
}

func testConfig() reputation.Config {
	return reputation.Config{
		SlowRTT:      100 * ms,
		OfflineAfter: 3,
		Alpha:        1,
		SlowExit:     0.8,
		Interval:     time.Minute,
	}
}

func answer(p common.Address, at time.Time, rtt time.Duration) reputation.Observation {
	return reputation.Observation{Peer: p, At: at, RTT: rtt}
}

func miss(p common.Address, at time.Time) reputation.Observation {
	return reputation.Observation{Peer: p, At: at, Miss: true}
}

func unreachable(p common.Address, at time.Time) reputation.Observation {
	return reputation.Observation{Peer: p, At: at, Unreachable: true}
}

func TestStateString(t *testing.T) {
	for s, want := range map[reputation.State]string{
		reputation.Unknown:    "unknown",
		reputation.Responsive: "responsive",
		reputation.Slow:       "slow",
		reputation.Offline:    "offline",
		reputation.Unreached:  "unreached",
		reputation.State(9):   "state(9)",
	} {
		if got := s.String(); got != want {
			t.Errorf("State(%d).String() = %q, want %q", s, got, want)
		}
	}
}

func TestNewTrackerConfig(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*reputation.Config)
		wantErr string // substring; "" means valid
	}{
		{"default", func(*reputation.Config) {}, ""},
		{"zero alpha and exit take defaults", func(c *reputation.Config) { c.Alpha, c.SlowExit = 0, 0 }, ""},
		{"alpha 1", func(c *reputation.Config) { c.Alpha = 1 }, ""},
		{"exit 1", func(c *reputation.Config) { c.SlowExit = 1 }, ""},
		{"zero slow rtt", func(c *reputation.Config) { c.SlowRTT = 0 }, "SlowRTT"},
		{"negative slow rtt", func(c *reputation.Config) { c.SlowRTT = -ms }, "SlowRTT"},
		{"zero offline after", func(c *reputation.Config) { c.OfflineAfter = 0 }, "OfflineAfter"},
		{"negative alpha", func(c *reputation.Config) { c.Alpha = -0.1 }, "Alpha"},
		{"alpha above 1", func(c *reputation.Config) { c.Alpha = 1.5 }, "Alpha"},
		{"NaN alpha", func(c *reputation.Config) { c.Alpha = nan() }, "Alpha"},
		{"negative exit", func(c *reputation.Config) { c.SlowExit = -1 }, "SlowExit"},
		{"exit above 1", func(c *reputation.Config) { c.SlowExit = 1.01 }, "SlowExit"},
		{"zero interval", func(c *reputation.Config) { c.Interval = 0 }, "Interval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := reputation.DefaultConfig()
			tc.mod(&cfg)
			tr, err := reputation.NewTracker(cfg)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("NewTracker: %v", err)
				}
				got := tr.Config()
				if got.Alpha <= 0 || got.SlowExit <= 0 {
					t.Errorf("defaults not applied: %+v", got)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewTracker accepted %+v", cfg)
			}
			if !errors.Is(err, reputation.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q: want ErrInvalidConfig naming %s", err, tc.wantErr)
			}
		})
	}
	tr := newTracker(t, reputation.Config{SlowRTT: 1, OfflineAfter: 1, Interval: 1})
	if c := tr.Config(); c.Alpha != reputation.DefaultAlpha || c.SlowExit != reputation.DefaultSlowExit {
		t.Errorf("zero Alpha/SlowExit became %v/%v, want defaults", c.Alpha, c.SlowExit)
	}
}

// TestSlowHysteresis drives one peer with answered pings only and checks the
// state after each sample and the transitions.
func TestSlowHysteresis(t *testing.T) {
	osc := func(lo, hi time.Duration, n int) []time.Duration {
		var out []time.Duration
		for range n {
			out = append(out, lo, hi)
		}
		return out
	}
	R, S := reputation.Responsive, reputation.Slow
	tests := []struct {
		name     string
		alpha    float64
		exit     float64
		rtts     []time.Duration
		states   []reputation.State // after each sample; nil: not checked
		reasons  []string           // of all transitions, in order; nil: not checked
		wantTrns int
	}{
		{
			name: "at the threshold is not slow", alpha: 1, exit: 0.8,
			rtts: []time.Duration{100 * ms}, states: []reputation.State{R},
			reasons: []string{"answered"}, wantTrns: 1,
		},
		{
			name: "above the threshold enters slow", alpha: 1, exit: 0.8,
			rtts: []time.Duration{50 * ms, 101 * ms}, states: []reputation.State{R, S},
			reasons: []string{"answered", "rtt_above_slow"}, wantTrns: 2,
		},
		{
			name: "first sample slow", alpha: 1, exit: 0.8,
			rtts: []time.Duration{300 * ms}, states: []reputation.State{S},
			reasons: []string{"rtt_above_slow"}, wantTrns: 1,
		},
		{
			name: "leaves slow only below SlowRTT*SlowExit", alpha: 1, exit: 0.8,
			rtts:    []time.Duration{150 * ms, 99 * ms, 85 * ms, 80 * ms, 79 * ms, 95 * ms},
			states:  []reputation.State{S, S, S, S, R, R},
			reasons: []string{"rtt_above_slow", "rtt_recovered"}, wantTrns: 2,
		},
		{
			name: "oscillating around the threshold does not flap", alpha: 1, exit: 0.8,
			rtts: osc(95*ms, 105*ms, 20), wantTrns: 2, // Unknown→Responsive→Slow, then stays
		},
		{
			name: "without hysteresis the same signal flaps", alpha: 1, exit: 1,
			rtts: osc(95*ms, 105*ms, 20), wantTrns: 40,
		},
		{
			name: "moving average absorbs a spike", alpha: 0.3, exit: 0.8,
			// 0.3*200 + 0.7*50 = 95 ms: still responsive.
			rtts: []time.Duration{50 * ms, 200 * ms, 50 * ms}, states: []reputation.State{R, R, R},
			wantTrns: 1,
		},
		{
			name: "moving average follows a sustained rise", alpha: 0.3, exit: 0.8,
			// 50 → 95 → 126.5 ms.
			rtts: []time.Duration{50 * ms, 200 * ms, 200 * ms}, states: []reputation.State{R, R, S},
			reasons: []string{"answered", "rtt_above_slow"}, wantTrns: 2,
		},
		{
			name: "moving average oscillation does not flap", alpha: 0.3, exit: 0.8,
			rtts: osc(80*ms, 125*ms, 50), wantTrns: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Alpha, cfg.SlowExit = tc.alpha, tc.exit
			tr := newTracker(t, cfg)
			var all []reputation.Transition
			for i, rtt := range tc.rtts {
				at := t0.Add(time.Duration(i) * time.Second)
				all = append(all, tr.Observe(answer(peerA, at, rtt))...)
				if tc.states == nil {
					continue
				}
				if got, _, _ := tr.State(peerA); got != tc.states[i] {
					t.Fatalf("after sample %d (%s): state %s, want %s", i, rtt, got, tc.states[i])
				}
			}
			if len(all) != tc.wantTrns {
				t.Errorf("%d transitions, want %d: %v", len(all), tc.wantTrns, all)
			}
			if tc.reasons != nil {
				var got []string
				for _, tr := range all {
					got = append(got, tr.Reason)
				}
				if !reflect.DeepEqual(got, tc.reasons) {
					t.Errorf("reasons %v, want %v", got, tc.reasons)
				}
			}
			for i := 1; i < len(all); i++ {
				if all[i].From != all[i-1].To {
					t.Errorf("transition %d from %s, previous went to %s", i, all[i].From, all[i-1].To)
				}
			}
		})
	}
}

// step is one event of a scripted peer: 'a' answered (rtt), 'm' missed ping,
// 'u' unreachable, 'r' rejected message.
type step struct {
	kind byte
	rtt  time.Duration
}

func a(rtt time.Duration) step { return step{kind: 'a', rtt: rtt} }

var (
	m = step{kind: 'm'}
	u = step{kind: 'u'}
)

func (s step) observe(tr *reputation.Tracker, p common.Address, at time.Time) []reputation.Transition {
	switch s.kind {
	case 'a':
		return tr.Observe(answer(p, at, s.rtt))
	case 'm':
		return tr.Observe(miss(p, at))
	case 'u':
		return tr.Observe(unreachable(p, at))
	case 'r':
		tr.Rejected(p, at)
		return nil
	}
	panic("bad step " + string(s.kind))
}

func TestOffline(t *testing.T) {
	U, R, S, O, N := reputation.Unknown, reputation.Responsive, reputation.Slow, reputation.Offline, reputation.Unreached
	type want struct {
		step       int
		from, to   reputation.State
		reason     string
		finalState reputation.State
	}
	tr3 := func(step int, from, to reputation.State, reason string) want {
		return want{step: step, from: from, to: to, reason: reason}
	}
	fast, slow := 10*ms, 300*ms
	tests := []struct {
		name         string
		offlineAfter int
		steps        []step
		want         []want
		final        reputation.State
	}{
		{
			name: "offline after exactly three misses, back on one answer", offlineAfter: 3,
			steps: []step{a(fast), m, m, m, a(fast)},
			want:  []want{tr3(0, U, R, "answered"), tr3(3, R, O, "missed_3_pings"), tr3(4, O, R, "answered")},
			final: R,
		},
		{
			name: "two misses are not enough", offlineAfter: 3,
			steps: []step{a(fast), m, m},
			want:  []want{tr3(0, U, R, "answered")},
			final: R,
		},
		{
			name: "an answer resets the count", offlineAfter: 3,
			steps: []step{a(fast), m, m, a(fast), m, m},
			want:  []want{tr3(0, U, R, "answered")},
			final: R,
		},
		{
			name: "further misses do not transition again", offlineAfter: 3,
			steps: []step{a(fast), m, m, m, m, m, m, u},
			want:  []want{tr3(0, U, R, "answered"), tr3(3, R, O, "missed_3_pings")},
			final: O,
		},
		{
			name: "unreachable counts as a miss", offlineAfter: 3,
			steps: []step{a(fast), u, u, u},
			want:  []want{tr3(0, U, R, "answered"), tr3(3, R, O, "unreachable")},
			final: O,
		},
		{
			name: "misses and unreachables add up: last is a miss", offlineAfter: 3,
			steps: []step{a(fast), u, m, m},
			want:  []want{tr3(0, U, R, "answered"), tr3(3, R, O, "missed_3_pings")},
			final: O,
		},
		{
			name: "misses and unreachables add up: last is unreachable", offlineAfter: 3,
			steps: []step{a(fast), m, m, u},
			want:  []want{tr3(0, U, R, "answered"), tr3(3, R, O, "unreachable")},
			final: O,
		},
		{
			name: "a peer never heard from is unreached, not offline", offlineAfter: 3,
			steps: []step{u, u, u, u, a(fast)},
			want:  []want{tr3(2, U, N, "never_reached"), tr3(4, N, R, "answered")},
			final: R,
		},
		{
			name: "a peer reached once goes offline", offlineAfter: 3,
			steps: []step{u, u, u, a(fast), u, m, u, a(fast)},
			want: []want{
				tr3(2, U, N, "never_reached"), tr3(3, N, R, "answered"),
				tr3(6, R, O, "unreachable"), tr3(7, O, R, "answered"),
			},
			final: R,
		},
		{
			name: "a slow peer comes back slow", offlineAfter: 3,
			steps: []step{a(slow), m, m, m, a(slow)},
			want:  []want{tr3(0, U, S, "rtt_above_slow"), tr3(3, S, O, "missed_3_pings"), tr3(4, O, S, "answered")},
			final: S,
		},
		{
			name: "hysteresis applies on return", offlineAfter: 3,
			// 90 ms is below SlowRTT but not below SlowRTT*0.8: still Slow.
			steps: []step{a(slow), m, m, m, a(90 * ms), a(70 * ms)},
			want: []want{
				tr3(0, U, S, "rtt_above_slow"), tr3(3, S, O, "missed_3_pings"),
				tr3(4, O, S, "answered"), tr3(5, S, R, "rtt_recovered"),
			},
			final: R,
		},
		{
			name: "slow is not offline", offlineAfter: 3,
			steps: []step{a(slow), a(slow), m, a(slow), m, m, a(slow)},
			want:  []want{tr3(0, U, S, "rtt_above_slow")},
			final: S,
		},
		{
			name: "offline after one", offlineAfter: 1,
			steps: []step{a(fast), m, a(fast), u},
			want: []want{
				tr3(0, U, R, "answered"), tr3(1, R, O, "missed_1_pings"),
				tr3(2, O, R, "answered"), tr3(3, R, O, "unreachable"),
			},
			final: O,
		},
		{
			name: "rejections do not affect liveness", offlineAfter: 2,
			steps: []step{a(fast), {kind: 'r'}, m, {kind: 'r'}, a(fast)},
			want:  []want{tr3(0, U, R, "answered")},
			final: R,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.OfflineAfter = tc.offlineAfter
			tr := newTracker(t, cfg)
			var got []want
			var lastAt time.Time
			for i, s := range tc.steps {
				at := t0.Add(time.Duration(i) * 10 * time.Second)
				trs := s.observe(tr, peerA, at)
				if len(trs) > 1 {
					t.Fatalf("step %d: %d transitions", i, len(trs))
				}
				for _, x := range trs {
					if x.Peer != peerA || !x.At.Equal(at) {
						t.Errorf("step %d: transition %+v, want peer %s at %s", i, x, peerA, at)
					}
					got = append(got, tr3(i, x.From, x.To, x.Reason))
					lastAt = at
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("transitions\n got %v\nwant %v", got, tc.want)
			}
			s, since, ok := tr.State(peerA)
			if !ok || s != tc.final {
				t.Errorf("final state %s (known %v), want %s", s, ok, tc.final)
			}
			if len(got) > 0 && !since.Equal(lastAt) {
				t.Errorf("since %s, want the last transition %s", since, lastAt)
			}
		})
	}
}

func TestStates(t *testing.T) {
	cfg := testConfig()
	cfg.Alpha = 0.5
	tr := newTracker(t, cfg)
	tr.Observe(answer(peerA, t0, 100*ms))
	tr.Observe(answer(peerA, t0.Add(time.Second), 300*ms)) // avg 200 ms → Slow
	tr.Observe(miss(peerA, t0.Add(2*time.Second)))         // avg unchanged
	tr.Observe(unreachable(peerB, t0.Add(3*time.Second)))
	got := tr.States()
	want := map[common.Address]reputation.PeerState{
		peerA: {State: reputation.Slow, Since: t0.Add(time.Second), RTT: 200 * ms, Misses: 1},
		peerB: {State: reputation.Unknown, Since: t0.Add(3 * time.Second), Misses: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("States()\n got %+v\nwant %+v", got, want)
	}
	if _, _, ok := tr.State(common.HexToAddress("0xdead")); ok {
		t.Error("State of an unseen peer is known")
	}
}

// ev is a scripted event at an offset from t0; kind 'f' is a Flush.
type ev struct {
	off  time.Duration
	kind byte
	rtt  time.Duration
}

func at(min, sec int) time.Duration {
	return time.Duration(min)*time.Minute + time.Duration(sec)*time.Second
}

func sum(start, end time.Duration, sent, answered uint32, rmin, rmean, rmax, offline time.Duration, rejected uint32) reputation.Summary {
	return reputation.Summary{
		Peer: peerA, Start: t0.Add(start), End: t0.Add(end),
		PingsSent: sent, PingsAnswered: answered,
		RTTMin: rmin, RTTMean: rmean, RTTMax: rmax,
		Offline: offline, Rejected: rejected,
	}
}

func TestSummaries(t *testing.T) {
	tests := []struct {
		name         string
		offlineAfter int
		events       []ev
		want         []reputation.Summary // from all flushes, in order
	}{
		{
			name: "partial first interval, pings and RTT statistics", offlineAfter: 3,
			events: []ev{
				{at(0, 30), 'a', 10 * ms}, {at(0, 40), 'a', 30 * ms}, {at(0, 50), 'm', 0},
				{at(0, 59), 'f', 0},
				{at(1, 5), 'a', 20 * ms},
				{at(1, 0), 'f', 0}, {at(1, 59), 'f', 0}, {at(2, 0), 'f', 0},
			},
			want: []reputation.Summary{
				sum(at(0, 30), at(1, 0), 3, 2, 10*ms, 20*ms, 30*ms, 0, 0),
				sum(at(1, 0), at(2, 0), 1, 1, 20*ms, 20*ms, 20*ms, 0, 0),
			},
		},
		{
			name: "no answer: RTT fields zero; rejections counted", offlineAfter: 3,
			events: []ev{
				{at(0, 10), 'm', 0}, {at(0, 20), 'r', 0}, {at(0, 30), 'r', 0},
				{at(1, 0), 'f', 0},
			},
			want: []reputation.Summary{sum(at(0, 10), at(1, 0), 1, 0, 0, 0, 0, 0, 2)},
		},
		{
			name: "intervals without evidence produce nothing", offlineAfter: 3,
			events: []ev{
				{at(0, 10), 'a', 10 * ms}, {at(10, 0), 'f', 0},
				{at(12, 10), 'r', 0}, {at(20, 0), 'f', 0},
			},
			want: []reputation.Summary{
				sum(at(0, 10), at(1, 0), 1, 1, 10*ms, 10*ms, 10*ms, 0, 0),
				sum(at(12, 0), at(13, 0), 0, 0, 0, 0, 0, 0, 1),
			},
		},
		{
			name: "offline time split across interval boundaries", offlineAfter: 1,
			events: []ev{
				{at(0, 10), 'a', 10 * ms},
				{at(1, 20), 'm', 0}, // Offline from 10:01:20
				{at(2, 20), 'm', 0}, {at(3, 20), 'm', 0},
				{at(3, 40), 'a', 30 * ms}, // back at 10:03:40
				{at(5, 0), 'f', 0},
			},
			want: []reputation.Summary{
				sum(at(0, 10), at(1, 0), 1, 1, 10*ms, 10*ms, 10*ms, 0, 0),
				sum(at(1, 0), at(2, 0), 1, 0, 0, 0, 0, 40*time.Second, 0),
				sum(at(2, 0), at(3, 0), 1, 0, 0, 0, 0, time.Minute, 0),
				sum(at(3, 0), at(4, 0), 2, 1, 30*ms, 30*ms, 30*ms, 40*time.Second, 0),
			},
		},
		{
			name: "ongoing offline is reported per flushed interval; silent runs coalesce", offlineAfter: 1,
			events: []ev{
				{at(0, 10), 'a', 10 * ms},
				{at(0, 20), 'u', 0},
				{at(0, 50), 'f', 0}, // interval not over: nothing
				{at(1, 0), 'f', 0},
				{at(1, 30), 'f', 0},
				{at(2, 0), 'f', 0},         // a whole silent offline interval
				{at(10, 30), 'f', 0},       // eight more, one record
				{at(10, 45), 'a', 10 * ms}, // back
				{at(11, 0), 'f', 0},
			},
			want: []reputation.Summary{
				sum(at(0, 10), at(1, 0), 2, 1, 10*ms, 10*ms, 10*ms, 40*time.Second, 0),
				sum(at(1, 0), at(2, 0), 0, 0, 0, 0, 0, time.Minute, 0),
				sum(at(2, 0), at(10, 0), 0, 0, 0, 0, 0, 8*time.Minute, 0),
				sum(at(10, 0), at(11, 0), 1, 1, 10*ms, 10*ms, 10*ms, 45*time.Second, 0),
			},
		},
		{
			name: "an observation after a silent gap closes the gap", offlineAfter: 1,
			events: []ev{
				{at(0, 10), 'a', 10 * ms},
				{at(0, 20), 'm', 0},
				{at(5, 30), 'a', 10 * ms},
				{at(6, 0), 'f', 0},
			},
			want: []reputation.Summary{
				sum(at(0, 10), at(1, 0), 2, 1, 10*ms, 10*ms, 10*ms, 40*time.Second, 0),
				sum(at(1, 0), at(5, 0), 0, 0, 0, 0, 0, 4*time.Minute, 0),
				sum(at(5, 0), at(6, 0), 1, 1, 10*ms, 10*ms, 10*ms, 30*time.Second, 0),
			},
		},
		{
			name: "a peer never reached accrues no offline time", offlineAfter: 1,
			events: []ev{
				{at(0, 20), 'u', 0},
				{at(3, 30), 'u', 0},
				{at(5, 0), 'f', 0},
			},
			want: []reputation.Summary{
				sum(at(0, 20), at(1, 0), 1, 0, 0, 0, 0, 0, 0),
				sum(at(3, 0), at(4, 0), 1, 0, 0, 0, 0, 0, 0),
			},
		},
		{
			name: "offline from the transition, not from the first miss", offlineAfter: 3,
			events: []ev{
				{at(0, 0), 'a', 10 * ms},
				{at(0, 10), 'm', 0}, {at(0, 20), 'm', 0}, {at(0, 30), 'm', 0}, // Offline at :30
				{at(0, 45), 'a', 10 * ms},
				{at(1, 0), 'f', 0},
			},
			want: []reputation.Summary{sum(0, at(1, 0), 5, 2, 10*ms, 10*ms, 10*ms, 15*time.Second, 0)},
		},
		{
			name: "offline on a boundary", offlineAfter: 1,
			events: []ev{
				{at(0, 30), 'a', 10 * ms},
				{at(1, 0), 'm', 0},
				{at(2, 0), 'a', 10 * ms},
				{at(3, 0), 'f', 0},
			},
			want: []reputation.Summary{
				sum(at(0, 30), at(1, 0), 1, 1, 10*ms, 10*ms, 10*ms, 0, 0),
				sum(at(1, 0), at(2, 0), 1, 0, 0, 0, 0, time.Minute, 0),
				sum(at(2, 0), at(3, 0), 1, 1, 10*ms, 10*ms, 10*ms, 0, 0),
			},
		},
		{
			name: "late observation counts at the latest time seen", offlineAfter: 1,
			events: []ev{
				{at(1, 10), 'a', 10 * ms},
				{at(0, 50), 'm', 0}, // older than the last: Offline at 10:01:10
				{at(1, 40), 'a', 10 * ms},
				{at(2, 0), 'f', 0},
			},
			want: []reputation.Summary{sum(at(1, 10), at(2, 0), 3, 2, 10*ms, 10*ms, 10*ms, 30*time.Second, 0)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.OfflineAfter = tc.offlineAfter
			tr := newTracker(t, cfg)
			var got []reputation.Summary
			for _, e := range tc.events {
				when := t0.Add(e.off)
				if e.kind == 'f' {
					got = append(got, tr.Flush(when)...)
					continue
				}
				step{kind: e.kind, rtt: e.rtt}.observe(tr, peerA, when)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("summaries\n got %s\nwant %s", fmtSummaries(got), fmtSummaries(tc.want))
			}
		})
	}
}

func fmtSummaries(ss []reputation.Summary) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "\n  [%s,%s) sent=%d ans=%d rtt=%s/%s/%s off=%s rej=%d",
			s.Start.Sub(t0), s.End.Sub(t0), s.PingsSent, s.PingsAnswered,
			s.RTTMin, s.RTTMean, s.RTTMax, s.Offline, s.Rejected)
	}
	return b.String()
}

func TestFlushOrderAndOnce(t *testing.T) {
	tr := newTracker(t, testConfig())
	tr.Observe(answer(peerB, t0.Add(at(0, 5)), ms))
	tr.Observe(answer(peerA, t0.Add(at(0, 10)), ms))
	tr.Observe(answer(peerA, t0.Add(at(1, 10)), ms))
	tr.Observe(answer(peerB, t0.Add(at(1, 20)), ms))
	got := tr.Flush(t0.Add(at(2, 0)))
	var keys []string
	for _, s := range got {
		keys = append(keys, fmt.Sprintf("%x@%s", s.Peer[19:], s.Start.Sub(t0)))
	}
	want := []string{"b2@5s", "a1@10s", "a1@1m0s", "b2@1m0s"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("order %v, want %v", keys, want)
	}
	if again := tr.Flush(t0.Add(at(2, 0))); len(again) != 0 {
		t.Errorf("second Flush returned %d summaries", len(again))
	}
}

func TestRestore(t *testing.T) {
	t.Run("offline", func(t *testing.T) {
		tr := newTracker(t, testConfig())
		since := t0.Add(-time.Hour)
		tr.Restore(peerA, reputation.Offline, since)
		if s, got, ok := tr.State(peerA); !ok || s != reputation.Offline || !got.Equal(since) {
			t.Fatalf("State = %s %s %v, want offline since %s", s, got, ok, since)
		}
		// The daemon was not watching before its first observation: no evidence.
		if got := tr.Flush(t0.Add(at(10, 0))); len(got) != 0 {
			t.Fatalf("Flush before any observation: %s", fmtSummaries(got))
		}
		// Already offline: a further miss is no transition.
		if trs := tr.Observe(unreachable(peerA, t0.Add(at(10, 5)))); len(trs) != 0 {
			t.Fatalf("miss of a restored offline peer: %v", trs)
		}
		got := tr.Flush(t0.Add(at(12, 0)))
		want := []reputation.Summary{
			sum(at(10, 5), at(11, 0), 1, 0, 0, 0, 0, 55*time.Second, 0),
			sum(at(11, 0), at(12, 0), 0, 0, 0, 0, 0, time.Minute, 0),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("summaries\n got %s\nwant %s", fmtSummaries(got), fmtSummaries(want))
		}
		// One answer brings it back.
		trs := tr.Observe(answer(peerA, t0.Add(at(12, 10)), 10*ms))
		wantTr := []reputation.Transition{{
			Peer: peerA, At: t0.Add(at(12, 10)), From: reputation.Offline, To: reputation.Responsive, Reason: "answered",
		}}
		if !reflect.DeepEqual(trs, wantTr) {
			t.Errorf("transitions %v, want %v", trs, wantTr)
		}
	})
	t.Run("slow keeps hysteresis", func(t *testing.T) {
		tr := newTracker(t, testConfig())
		tr.Restore(peerA, reputation.Slow, t0)
		if trs := tr.Observe(answer(peerA, t0.Add(time.Second), 90*ms)); len(trs) != 0 {
			t.Errorf("90 ms on a restored slow peer: %v, want it to stay slow", trs)
		}
		trs := tr.Observe(answer(peerA, t0.Add(2*time.Second), 70*ms))
		if len(trs) != 1 || trs[0].From != reputation.Slow || trs[0].To != reputation.Responsive || trs[0].Reason != "rtt_recovered" {
			t.Errorf("70 ms: %v, want slow→responsive rtt_recovered", trs)
		}
	})
	t.Run("live evidence wins", func(t *testing.T) {
		tr := newTracker(t, testConfig())
		tr.Observe(answer(peerA, t0, 10*ms))
		tr.Restore(peerA, reputation.Offline, t0.Add(-time.Hour))
		if s, since, _ := tr.State(peerA); s != reputation.Responsive || !since.Equal(t0) {
			t.Errorf("Restore over a live peer: %s since %s", s, since)
		}
	})
	t.Run("invalid state ignored", func(t *testing.T) {
		tr := newTracker(t, testConfig())
		tr.Restore(peerA, reputation.State(7), t0)
		if _, _, ok := tr.State(peerA); ok {
			t.Error("Restore with an invalid state created the peer")
		}
	})
}

func TestForget(t *testing.T) {
	tr := newTracker(t, testConfig())
	tr.Observe(answer(peerA, t0.Add(at(0, 10)), 10*ms))
	tr.Observe(answer(peerA, t0.Add(at(1, 10)), 10*ms)) // closes [0:10, 1:00)
	tr.Observe(answer(peerB, t0.Add(at(1, 10)), 10*ms))
	tr.Forget(peerA)
	if _, _, ok := tr.State(peerA); ok {
		t.Error("forgotten peer still known")
	}
	if _, ok := tr.States()[peerA]; ok {
		t.Error("forgotten peer in States")
	}
	var gotA []reputation.Summary
	for _, s := range tr.Flush(t0.Add(at(5, 0))) {
		if s.Peer == peerA {
			gotA = append(gotA, s)
		}
	}
	want := []reputation.Summary{sum(at(0, 10), at(1, 0), 1, 1, 10*ms, 10*ms, 10*ms, 0, 0)}
	if !reflect.DeepEqual(gotA, want) {
		t.Errorf("after Forget\n got %s\nwant %s", fmtSummaries(gotA), fmtSummaries(want))
	}
	// A peer seen again starts afresh.
	trs := tr.Observe(answer(peerA, t0.Add(at(5, 10)), 10*ms))
	if len(trs) != 1 || trs[0].From != reputation.Unknown {
		t.Errorf("re-observed forgotten peer: %v, want a transition from unknown", trs)
	}
}

// A restored peer that had been reached can go Offline again after the
// restart; one that had not (Unknown, Unreached) can only become Unreached.
func TestRestoreKeepsWhetherReached(t *testing.T) {
	for _, tc := range []struct {
		restored, after reputation.State
	}{
		{reputation.Responsive, reputation.Offline},
		{reputation.Slow, reputation.Offline},
		{reputation.Unknown, reputation.Unreached},
		{reputation.Unreached, reputation.Unreached},
	} {
		tr := newTracker(t, testConfig())
		tr.Restore(peerA, tc.restored, t0)
		for i := range 3 {
			tr.Observe(unreachable(peerA, t0.Add(time.Duration(i+1)*time.Second)))
		}
		if s, _, _ := tr.State(peerA); s != tc.after {
			t.Errorf("restored %s, 3 failed probes: %s, want %s", tc.restored, s, tc.after)
		}
		tr.Flush(t0.Add(2 * time.Minute))
	}
}
