package reputation_test

import (
	"math"
	"math/rand"
	"slices"
	"testing"
	"testing/quick"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/reputation"
)

const propertyRuns = 3000

func testAddr(i int) common.Address {
	var a common.Address
	a[18], a[19] = byte(i>>8), byte(i)
	return a
}

// randDuration is uniform in [0, d).
func randDuration(r *rand.Rand, d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(r.Int63n(int64(d)))
}

// randSummaries is arbitrary evidence around now, including the odd cases Score
// must tolerate: zero-length and future summaries, offline time outside [0, span].
func randSummaries(r *rand.Rand, now time.Time) []reputation.Summary {
	n := r.Intn(40)
	out := make([]reputation.Summary, 0, n)
	for range n {
		start := now.Add(-randDuration(r, 9*24*hour) + randDuration(r, 2*hour))
		var length time.Duration
		switch r.Intn(10) {
		case 0:
			length = 0
		case 1:
			length = randDuration(r, 12*hour)
		default:
			length = time.Duration(1+r.Intn(60)) * time.Minute
		}
		var off time.Duration
		switch r.Intn(6) {
		case 0:
		case 1:
			off = length
		case 2:
			off = randDuration(r, 2*length+1) - length/2 // may fall outside [0, length]
		default:
			off = randDuration(r, length+1)
		}
		var rej uint32
		if r.Intn(10) < 3 {
			rej = uint32(r.Intn(20))
		}
		sent := uint32(r.Intn(10))
		out = append(out, reputation.Summary{
			Peer: peerA, Start: start, End: start.Add(length),
			PingsSent: sent, PingsAnswered: uint32(r.Intn(int(sent) + 1)),
			RTTMin: randDuration(r, time.Second), RTTMean: randDuration(r, 2*time.Second), RTTMax: randDuration(r, 5*time.Second),
			Offline: off, Rejected: rej,
		})
	}
	return out
}

func randScoreConfig(r *rand.Rand) reputation.ScoreConfig {
	if r.Intn(2) == 0 {
		return reputation.DefaultScoreConfig()
	}
	var c reputation.ScoreConfig
	for range 1 + r.Intn(4) {
		w := reputation.Window{Length: time.Minute + randDuration(r, 10*24*hour), Weight: 0.01 + r.Float64()}
		if r.Intn(3) > 0 {
			w.HalfLife = time.Second + randDuration(r, w.Length)
		}
		c.Windows = append(c.Windows, w)
	}
	if r.Intn(4) > 0 {
		c.RejectPenalty = r.Float64()
	}
	if r.Intn(3) > 0 {
		c.RejectHalfLife = time.Second + randDuration(r, 24*hour)
	}
	return c
}

// TestScoreProperties checks, over many random evidence sets and configs:
// the score is in [0, 1]; less offline time never lowers it; RTT and ping
// counts never change it; more rejections never raise it; order does not matter.
func TestScoreProperties(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	now := t0
	var raised, lowered int
	for run := range propertyRuns {
		in := randSummaries(r, now)
		cfg := randScoreConfig(r)
		base := reputation.Score(in, now, cfg)
		if math.IsNaN(base) || base < 0 || base > 1 {
			t.Fatalf("run %d: score %v outside [0, 1]", run, base)
		}
		if len(in) == 0 {
			if base != reputation.NeutralScore {
				t.Fatalf("run %d: no evidence scores %v", run, base)
			}
			continue
		}

		// Monotone in availability.
		better := slices.Clone(in)
		for i := range better {
			if r.Intn(2) == 0 && better[i].Offline > 0 {
				better[i].Offline = time.Duration(float64(better[i].Offline) * r.Float64())
			}
		}
		if s := reputation.Score(better, now, cfg); s < base {
			t.Fatalf("run %d: less offline time lowered the score %v → %v", run, base, s)
		} else if s > base {
			raised++
		}

		// Slow-invariant: RTT fields and ping counts are not inputs.
		rtts := slices.Clone(in)
		for i := range rtts {
			rtts[i].RTTMin = randDuration(r, 10*time.Second)
			rtts[i].RTTMean = rtts[i].RTTMin + randDuration(r, 10*time.Second)
			rtts[i].RTTMax = rtts[i].RTTMean + randDuration(r, 10*time.Second)
			rtts[i].PingsSent = uint32(r.Intn(100))
			rtts[i].PingsAnswered = uint32(r.Intn(100))
		}
		if s := reputation.Score(rtts, now, cfg); s != base {
			t.Fatalf("run %d: changing RTTs changed the score %v → %v", run, base, s)
		}

		// More rejections never raise it.
		worse := slices.Clone(in)
		i := r.Intn(len(worse))
		worse[i].Rejected += uint32(1 + r.Intn(10))
		if s := reputation.Score(worse, now, cfg); s > base {
			t.Fatalf("run %d: a rejection raised the score %v → %v", run, base, s)
		} else if s < base {
			lowered++
		}

		// Order does not matter (up to float rounding).
		shuffled := slices.Clone(in)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if s := reputation.Score(shuffled, now, cfg); math.Abs(s-base) > 1e-9 {
			t.Fatalf("run %d: order changed the score %v → %v", run, base, s)
		}
	}
	// The checks above are one-sided; make sure the changes did move scores.
	if raised < propertyRuns/10 || lowered < propertyRuns/20 {
		t.Errorf("weak properties: less offline raised %d, rejections lowered %d of %d runs", raised, lowered, propertyRuns)
	}
}

func TestScoreMappingProperties(t *testing.T) {
	monotone := func(a, b float64) bool {
		if a > b {
			a, b = b, a
		}
		tagA, tagB := reputation.ScoreToConnManagerTag(a), reputation.ScoreToConnManagerTag(b)
		gA, gB := reputation.ScoreToGossip(a), reputation.ScoreToGossip(b)
		return tagA <= tagB && gA <= gB &&
			tagA >= 0 && tagB <= reputation.ConnManagerTagMax &&
			gA >= 0 && gB <= reputation.GossipScoreScale
	}
	if err := quick.Check(monotone, nil); err != nil {
		t.Error(err)
	}
	unit := func(x uint16) bool { // scores in [0, 1]
		a, b := float64(x)/math.MaxUint16, float64(x+1)/math.MaxUint16
		return monotone(a, b)
	}
	if err := quick.Check(unit, nil); err != nil {
		t.Error(err)
	}
}

// TestTrackerEvidenceProperties feeds random event sequences to a Tracker and
// checks its summaries against the transitions: offline time adds up to the
// time between Offline transitions, every probe and rejection is counted once,
// and summaries of one peer are ordered, disjoint and within their interval.
func TestTrackerEvidenceProperties(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for run := range 300 {
		cfg := reputation.Config{
			SlowRTT:      100 * ms,
			OfflineAfter: 1 + r.Intn(4),
			Alpha:        0.05 + 0.95*r.Float64(),
			SlowExit:     0.5 + 0.5*r.Float64(),
			Interval:     time.Duration(1+r.Intn(5)) * time.Minute,
		}
		tr := newTracker(t, cfg)
		now := t0.Add(randDuration(r, time.Hour))
		var (
			got             []reputation.Summary
			probes, rejects uint32
			offSince        time.Time
			wantOff         time.Duration
			offline         bool
		)
		for range r.Intn(400) {
			now = now.Add(randDuration(r, 3*time.Minute))
			if r.Intn(20) == 0 {
				now = now.Add(randDuration(r, time.Hour)) // silence
			}
			var trs []reputation.Transition
			switch k := r.Intn(10); {
			case k < 5:
				trs = tr.Observe(answer(peerA, now, randDuration(r, 300*ms)))
				probes++
			case k < 7:
				trs = tr.Observe(miss(peerA, now))
				probes++
			case k < 8:
				trs = tr.Observe(unreachable(peerA, now))
				probes++
			case k < 9:
				tr.Rejected(peerA, now)
				rejects++
			default:
				got = append(got, tr.Flush(now)...)
			}
			for _, x := range trs {
				if x.To == reputation.Offline {
					offline, offSince = true, x.At
				} else if x.From == reputation.Offline {
					offline = false
					wantOff += x.At.Sub(offSince)
				}
			}
		}
		end := now.Truncate(cfg.Interval).Add(cfg.Interval)
		got = append(got, tr.Flush(end)...)
		if offline {
			wantOff += end.Sub(offSince)
		}

		var off time.Duration
		var sent, answered, rej uint32
		for i, s := range got {
			off += s.Offline
			sent += s.PingsSent
			answered += s.PingsAnswered
			rej += s.Rejected
			if !s.Start.Before(s.End) || s.End.After(end) {
				t.Fatalf("run %d: summary %d spans [%s, %s), flushed to %s", run, i, s.Start, s.End, end)
			}
			if s.Offline < 0 || s.Offline > s.End.Sub(s.Start) {
				t.Fatalf("run %d: summary %d offline %s of %s", run, i, s.Offline, s.End.Sub(s.Start))
			}
			whole := s.End.Equal(s.End.Truncate(cfg.Interval))
			oneInterval := !s.Start.Before(s.End.Add(-cfg.Interval))
			if !whole || (!oneInterval && (s.PingsSent != 0 || s.Rejected != 0 || s.Offline != s.End.Sub(s.Start))) {
				t.Fatalf("run %d: summary %d [%s, %s) is neither one interval nor a silent offline run", run, i, s.Start, s.End)
			}
			if i > 0 && s.Start.Before(got[i-1].End) {
				t.Fatalf("run %d: summary %d starts %s before the previous ends %s", run, i, s.Start, got[i-1].End)
			}
			if s.PingsAnswered > s.PingsSent {
				t.Fatalf("run %d: summary %d answered %d of %d", run, i, s.PingsAnswered, s.PingsSent)
			}
		}
		if off != wantOff {
			t.Fatalf("run %d: summaries hold %s offline, transitions say %s", run, off, wantOff)
		}
		if sent != probes || rej != rejects {
			t.Fatalf("run %d: summaries count %d probes, %d rejections; want %d, %d", run, sent, rej, probes, rejects)
		}
	}
}

// TestSlowPeerScoresAsFast runs identical random probe outcomes for a fast and
// a slow peer: they differ only in RTT, so their evidence (apart from RTT) and
// their scores must be equal.
func TestSlowPeerScoresAsFast(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	sc := reputation.DefaultScoreConfig()
	var slowRuns int
	for run := range 200 {
		cfg := reputation.DefaultConfig()
		cfg.OfflineAfter = 1 + r.Intn(3)
		tr := newTracker(t, cfg)
		fast, slow := testAddr(1), testAddr(2)
		now := t0
		var got []reputation.Summary
		wasSlow := false
		for range 200 + r.Intn(600) {
			now = now.Add(time.Duration(5+r.Intn(25)) * time.Second)
			switch k := r.Intn(20); {
			case k < 15 || run%4 == 0: // a quarter of the runs always answer
				tr.Observe(answer(fast, now, randDuration(r, 100*ms)))
				tr.Observe(answer(slow, now, cfg.SlowRTT+randDuration(r, 5*time.Second)))
			case k < 18:
				tr.Observe(miss(fast, now))
				tr.Observe(miss(slow, now))
			case k < 19:
				tr.Observe(unreachable(fast, now))
				tr.Observe(unreachable(slow, now))
			default:
				tr.Rejected(fast, now)
				tr.Rejected(slow, now)
			}
			if s, _, _ := tr.State(slow); s == reputation.Slow {
				wasSlow = true
			}
			if r.Intn(10) == 0 {
				got = append(got, tr.Flush(now)...)
			}
		}
		got = append(got, tr.Flush(now.Add(cfg.Interval))...)
		if wasSlow {
			slowRuns++
		}
		var fs, ss []reputation.Summary
		for _, s := range got {
			key := s
			key.RTTMin, key.RTTMean, key.RTTMax = 0, 0, 0
			key.Peer = common.Address{}
			if s.Peer == fast {
				fs = append(fs, key)
			} else {
				ss = append(ss, key)
			}
		}
		if !slices.Equal(fs, ss) {
			t.Fatalf("run %d: evidence differs beyond RTT:\nfast %s\nslow %s", run, fmtSummaries(fs), fmtSummaries(ss))
		}
		scoreAt := now.Add(cfg.Interval)
		fScore := reputation.Score(summariesOf(got, fast), scoreAt, sc)
		sScore := reputation.Score(summariesOf(got, slow), scoreAt, sc)
		if fScore != sScore {
			t.Fatalf("run %d: fast scores %v, slow %v", run, fScore, sScore)
		}
		if run%4 == 0 && fScore != 1 {
			t.Fatalf("run %d: always answering scores %v, want 1", run, fScore)
		}
	}
	if slowRuns < 190 {
		t.Errorf("the slow peer was Slow in only %d of 200 runs", slowRuns)
	}
}

func summariesOf(ss []reputation.Summary, p common.Address) []reputation.Summary {
	var out []reputation.Summary
	for _, s := range ss {
		if s.Peer == p {
			out = append(out, s)
		}
	}
	return out
}
