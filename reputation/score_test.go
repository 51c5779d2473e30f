package reputation_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"validator/reputation"
)

func nan() float64 { return math.NaN() }

const hour = time.Hour

// span is a summary of peerA over [now-from, now-to) with offline time off and
// rej rejections.
func span(now time.Time, from, to, off time.Duration, rej uint32) reputation.Summary {
	return reputation.Summary{Peer: peerA, Start: now.Add(-from), End: now.Add(-to), Offline: off, Rejected: rej}
}

func TestScore(t *testing.T) {
	now := t0
	def := reputation.DefaultScoreConfig()
	noDecay := reputation.ScoreConfig{Windows: []reputation.Window{
		{Length: hour, Weight: 0.5}, {Length: 24 * hour, Weight: 0.5},
	}}
	halfDay := reputation.ScoreConfig{Windows: []reputation.Window{
		{Length: 24 * hour, Weight: 1, HalfLife: 12 * hour},
	}}
	rej := reputation.ScoreConfig{
		Windows:       []reputation.Window{{Length: 24 * hour, Weight: 1}},
		RejectPenalty: 0.1, RejectHalfLife: 6 * hour,
	}
	week := 7 * 24 * hour
	tests := []struct {
		name string
		cfg  reputation.ScoreConfig
		in   []reputation.Summary
		want float64
	}{
		{"no evidence is neutral", def, nil, reputation.NeutralScore},
		{"always available", def, []reputation.Summary{span(now, week, 0, 0, 0)}, 1},
		{"always offline", def, []reputation.Summary{span(now, week, 0, week, 0)}, 0},
		{"offline fraction above one is clamped", def, []reputation.Summary{span(now, hour, 0, 2*hour, 0)}, 0},
		{"negative offline is clamped", def, []reputation.Summary{span(now, hour, 0, -hour, 0)}, 1},
		{
			"only the 7d window observed: weights renormalised", def,
			[]reputation.Summary{span(now, 48*hour, 47*hour, 30*time.Minute, 0)}, 0.5,
		},
		{
			"evidence older than every window is ignored", def,
			[]reputation.Summary{span(now, week+2*hour, week+hour, hour, 0)}, reputation.NeutralScore,
		},
		{
			"evidence from after now is ignored", def,
			[]reputation.Summary{span(now, -hour, -2*hour, hour, 5)}, reputation.NeutralScore,
		},
		{
			// 1 h window: available; 24 h window: 1 h of 24 available.
			"windows clip and weigh without decay", noDecay,
			[]reputation.Summary{span(now, hour, 0, 0, 0), span(now, 24*hour, hour, 23*hour, 0)},
			(1 + 1.0/24) / 2,
		},
		{
			// A summary straddling the 24 h edge counts pro rata: 1 h of its 2 h
			// offline falls inside.
			"a summary straddling the window edge counts pro rata", noDecay,
			[]reputation.Summary{span(now, 25*hour, 23*hour, 2*hour, 0), span(now, 23*hour, 0, 0, 0)},
			(1 + 23.0/24) / 2,
		},
		{
			// Decay weights: last 12 h ∝ 1-½ = ½, the 12 h before ∝ ½·½ = ¼.
			"recent availability outweighs old outage", halfDay,
			[]reputation.Summary{span(now, 12*hour, 0, 0, 0), span(now, 24*hour, 12*hour, 12*hour, 0)},
			2.0 / 3,
		},
		{
			"recent outage outweighs old availability", halfDay,
			[]reputation.Summary{span(now, 12*hour, 0, 12*hour, 0), span(now, 24*hour, 12*hour, 0, 0)},
			1.0 / 3,
		},
		{"one fresh rejection", rej, []reputation.Summary{span(now, hour, 0, 0, 1)}, math.Exp(-0.1)},
		{"rejection one half-life old counts half", rej, []reputation.Summary{span(now, 7*hour, 6*hour, 0, 1)}, math.Exp(-0.05)},
		{"rejections multiply with availability", rej, []reputation.Summary{span(now, hour, 0, 30*time.Minute, 3)}, 0.5 * math.Exp(-0.3)},
		{
			"a zero-length summary's rejections count", rej,
			[]reputation.Summary{{Peer: peerA, Start: now.Add(-hour), End: now.Add(-hour), Rejected: 2}},
			math.Exp(-0.1 * 2 * math.Pow(2, -1.0/6)), // age 1 h, half-life 6 h,
		},
		{"rejections beyond the longest window are ignored", rej, []reputation.Summary{span(now, 30*hour, 25*hour, 0, 10)}, reputation.NeutralScore},
		{"no windows: penalty only", reputation.ScoreConfig{RejectPenalty: 1}, []reputation.Summary{span(now, 500*hour, 499*hour, hour, 1)}, math.Exp(-1)},
		{
			"invalid windows are ignored",
			reputation.ScoreConfig{Windows: []reputation.Window{{Length: -hour, Weight: 1}, {Length: hour, Weight: nan()}, {Length: hour, Weight: 0}}},
			[]reputation.Summary{span(now, hour, 0, hour, 0)}, reputation.NeutralScore,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := reputation.Score(tc.in, now, tc.cfg)
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Score = %.15f, want %.15f", got, tc.want)
			}
		})
	}
}

// TestScoreFromTracker runs evidence through a Tracker into Score: an outage
// costs, and a slow but answering peer costs nothing.
func TestScoreFromTracker(t *testing.T) {
	cfg := reputation.DefaultConfig()
	cfg.OfflineAfter = 3
	tr := newTracker(t, cfg)
	fast, slow, flaky := peerA, peerB, testAddr(3)
	var all []reputation.Summary
	var slowSeen bool
	for i := range 3 * 60 * 6 { // 3 h of pings every 10 s
		now := t0.Add(time.Duration(i) * 10 * time.Second)
		tr.Observe(answer(fast, now, 20*ms))
		tr.Observe(answer(slow, now, 2*time.Second))
		if s, _, _ := tr.State(slow); s == reputation.Slow {
			slowSeen = true
		}
		// flaky is unreachable for 30 minutes in the last hour.
		if i >= 2*360+60 && i < 2*360+240 {
			tr.Observe(unreachable(flaky, now))
		} else {
			tr.Observe(answer(flaky, now, 20*ms))
		}
		all = append(all, tr.Flush(now)...)
	}
	end := t0.Add(3 * hour)
	all = append(all, tr.Flush(end)...)
	if !slowSeen {
		t.Fatal("the slow peer never became Slow; the test proves nothing")
	}
	by := map[string][]reputation.Summary{}
	for _, s := range all {
		by[s.Peer.Hex()] = append(by[s.Peer.Hex()], s)
	}
	sc := reputation.DefaultScoreConfig()
	fastScore := reputation.Score(by[fast.Hex()], end, sc)
	slowScore := reputation.Score(by[slow.Hex()], end, sc)
	flakyScore := reputation.Score(by[flaky.Hex()], end, sc)
	if fastScore != 1 || slowScore != fastScore {
		t.Errorf("fast %v, slow %v: want both 1", fastScore, slowScore)
	}
	if !(flakyScore < 0.9) {
		t.Errorf("peer offline for 30 of the last 60 minutes scores %v, want well below 1", flakyScore)
	}
	var off time.Duration
	for _, s := range by[flaky.Hex()] {
		off += s.Offline
	}
	// Offline from the third failed probe (20 s after the first) until the
	// next answer: 180 probes·10 s - 20 s.
	if want := 30*time.Minute - 20*time.Second; off != want {
		t.Errorf("flaky offline %s, want %s", off, want)
	}
}

func TestScoreConfigValidate(t *testing.T) {
	if err := reputation.DefaultScoreConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	bad := []reputation.ScoreConfig{
		{},
		{Windows: []reputation.Window{{Length: 0, Weight: 1}}},
		{Windows: []reputation.Window{{Length: hour, Weight: 0}}},
		{Windows: []reputation.Window{{Length: hour, Weight: math.Inf(1)}}},
		{Windows: []reputation.Window{{Length: hour, Weight: nan()}}},
		{Windows: []reputation.Window{{Length: hour, Weight: 1, HalfLife: -1}}},
		{Windows: []reputation.Window{{Length: hour, Weight: 1}}, RejectPenalty: -1},
		{Windows: []reputation.Window{{Length: hour, Weight: 1}}, RejectPenalty: nan()},
		{Windows: []reputation.Window{{Length: hour, Weight: 1}}, RejectHalfLife: -1},
	}
	for i, c := range bad {
		if err := c.Validate(); !errors.Is(err, reputation.ErrInvalidConfig) {
			t.Errorf("case %d %+v: Validate = %v, want ErrInvalidConfig", i, c, err)
		}
	}
}

func TestScoreMappings(t *testing.T) {
	tests := []struct {
		score  float64
		tag    int
		gossip float64
	}{
		{1, 100, 10},
		{0, 0, 0},
		{0.5, 50, 5},
		{0.874, 87, 8.74},
		{1.5, 100, 10},
		{-2, 0, 0},
		{nan(), 0, 0},
	}
	for _, tc := range tests {
		if got := reputation.ScoreToConnManagerTag(tc.score); got != tc.tag {
			t.Errorf("ScoreToConnManagerTag(%v) = %d, want %d", tc.score, got, tc.tag)
		}
		if got := reputation.ScoreToGossip(tc.score); math.Abs(got-tc.gossip) > 1e-9 {
			t.Errorf("ScoreToGossip(%v) = %v, want %v", tc.score, got, tc.gossip)
		}
	}
}
