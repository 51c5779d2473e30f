package reputation_test

import (
	"testing"
	"time"

	"validator/reputation"
)

func BenchmarkObserve(b *testing.B) {
	for _, n := range []int{1, 10000} {
		b.Run(map[int]string{1: "1peer", 10000: "10000peers"}[n], func(b *testing.B) {
			tr := newTracker(b, reputation.DefaultConfig())
			at := t0
			i := 0
			for b.Loop() {
				at = at.Add(time.Millisecond)
				o := answer(testAddr(i%n), at, time.Duration(i%700)*time.Millisecond)
				if i%7 == 0 {
					o.Miss = true
				}
				tr.Observe(o)
				i++
			}
		})
	}
}

func BenchmarkObserveParallel(b *testing.B) {
	tr := newTracker(b, reputation.DefaultConfig())
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			tr.Observe(answer(testAddr(i%1000), t0.Add(time.Duration(i)*time.Millisecond), 20*time.Millisecond))
			i++
		}
	})
}

// BenchmarkFlush closes one interval for 10,000 peers.
func BenchmarkFlush(b *testing.B) {
	cfg := reputation.DefaultConfig()
	tr := newTracker(b, cfg)
	at := t0
	for b.Loop() {
		for p := range 10000 {
			tr.Observe(answer(testAddr(p), at, 20*time.Millisecond))
		}
		at = at.Add(cfg.Interval)
		tr.Flush(at)
	}
}

// BenchmarkScore scores a week of evidence: 10,080 one-minute summaries, or
// 168 hourly ones.
func BenchmarkScore(b *testing.B) {
	now := t0
	for _, c := range []struct {
		name string
		step time.Duration
	}{{"7d_of_1m", time.Minute}, {"7d_of_1h", time.Hour}} {
		var in []reputation.Summary
		for s := now.Add(-7 * 24 * time.Hour); s.Before(now); s = s.Add(c.step) {
			sm := reputation.Summary{Peer: peerA, Start: s, End: s.Add(c.step), PingsSent: 6, PingsAnswered: 6}
			if len(in)%13 == 0 {
				sm.Offline = c.step / 3
				sm.Rejected = 1
			}
			in = append(in, sm)
		}
		cfg := reputation.DefaultScoreConfig()
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				reputation.Score(in, now, cfg)
			}
		})
	}
}
