package reputation

import (
	"fmt"
	"math"
	"time"
)

// NeutralScore is the score of a peer with no evidence. It is the top of the
// scale on purpose: membership is already gated by stake, so a newly registered
// node is a peer we chose to trust, and a lower default would let the
// connection manager and gossipsub push out every new or newly restarted
// validator before it had a chance. It cannot be gamed by shedding a bad
// history: a perfect record also scores 1.0, and a node ID, once registered,
// can never register again.
const NeutralScore = 1.0

// Window is one availability window of the score.
type Window struct {
	// Length: the window covers [now-Length, now).
	Length time.Duration
	// Weight of the window's availability in the score (relative; weights are
	// renormalised over the windows that hold evidence).
	Weight float64
	// HalfLife of the recency weighting inside the window: evidence HalfLife
	// older counts half as much. Zero means no decay (time-weighted mean).
	HalfLife time.Duration
}

// ScoreConfig configures Score.
type ScoreConfig struct {
	// Windows of availability evidence. Score ignores windows with a
	// non-positive Length or Weight (Validate reports them).
	Windows []Window
	// RejectPenalty k: the score is multiplied by exp(-k*R), where R is the
	// decayed count of rejected gossip messages. Zero disables the penalty.
	RejectPenalty float64
	// RejectHalfLife: a rejection this old counts half. Zero means no decay.
	// Rejections older than the longest window are not counted.
	RejectHalfLife time.Duration
}

// DefaultScoreConfig: windows of 1 h, 24 h and 7 d weighted 0.5, 0.3 and 0.2,
// each with a half-life of half its length; seven fresh rejections halve the
// score, and a rejection's weight halves every 6 h.
func DefaultScoreConfig() ScoreConfig {
	return ScoreConfig{
		Windows: []Window{
			{Length: time.Hour, Weight: 0.5, HalfLife: 30 * time.Minute},
			{Length: 24 * time.Hour, Weight: 0.3, HalfLife: 12 * time.Hour},
			{Length: 7 * 24 * time.Hour, Weight: 0.2, HalfLife: 84 * time.Hour},
		},
		RejectPenalty:  0.1,
		RejectHalfLife: 6 * time.Hour,
	}
}

// Validate reports a configuration Score would partly ignore.
func (c ScoreConfig) Validate() error {
	if len(c.Windows) == 0 {
		return fmt.Errorf("%w: no score windows", ErrInvalidConfig)
	}
	for i, w := range c.Windows {
		switch {
		case w.Length <= 0:
			return fmt.Errorf("%w: window %d: Length must be positive, got %s", ErrInvalidConfig, i, w.Length)
		case !(w.Weight > 0) || math.IsInf(w.Weight, 0):
			return fmt.Errorf("%w: window %d: Weight must be positive and finite, got %v", ErrInvalidConfig, i, w.Weight)
		case w.HalfLife < 0:
			return fmt.Errorf("%w: window %d: HalfLife must not be negative, got %s", ErrInvalidConfig, i, w.HalfLife)
		}
	}
	switch {
	case !(c.RejectPenalty >= 0) || math.IsInf(c.RejectPenalty, 0):
		return fmt.Errorf("%w: RejectPenalty must be non-negative and finite, got %v", ErrInvalidConfig, c.RejectPenalty)
	case c.RejectHalfLife < 0:
		return fmt.Errorf("%w: RejectHalfLife must not be negative, got %s", ErrInvalidConfig, c.RejectHalfLife)
	}
	return nil
}

type window struct {
	length float64 // seconds
	weight float64
	lambda float64 // decay rate per second; 0: none
}

type windowSum struct{ observed, offline float64 }

// Score rates a peer in [0, 1] from its evidence at time now; 1 is perfect.
//
// For each window, every summary's part inside [now-Length, now) gets a weight
// equal to the integral of the recency decay over that part, and its offline
// fraction (Offline/(End-Start), clamped to [0, 1], assumed spread evenly over
// the summary) counts against it: availability = 1 - Σ fraction·weight / Σ
// weight. The availability term is the weighted mean over the windows that hold
// evidence; with none it is NeutralScore. The result is that term times
// exp(-RejectPenalty·R), R = Σ Rejected·2^(-age/RejectHalfLife), where age is
// now minus the summary's End, over summaries that started before now and end
// within the longest window.
//
// Evidence from after now is ignored. RTT fields and ping counts are not read:
// a slow peer that answers scores exactly as a fast one. Score is monotone:
// less offline time never lowers it, more rejections never raise it.
func Score(summaries []Summary, now time.Time, cfg ScoreConfig) float64 {
	now = now.Round(0)
	var wbuf [4]window
	ws := wbuf[:0]
	var horizon time.Duration
	for _, w := range cfg.Windows {
		if w.Length <= 0 || !(w.Weight > 0) || math.IsInf(w.Weight, 0) {
			continue
		}
		sw := window{length: w.Length.Seconds(), weight: w.Weight}
		if w.HalfLife > 0 {
			sw.lambda = math.Ln2 / w.HalfLife.Seconds()
		}
		ws = append(ws, sw)
		horizon = max(horizon, w.Length)
	}
	var sbuf [4]windowSum
	sums := sbuf[:0]
	for range ws {
		sums = append(sums, windowSum{})
	}
	penalise := cfg.RejectPenalty > 0 && !math.IsInf(cfg.RejectPenalty, 0)
	var rejLambda float64
	if cfg.RejectHalfLife > 0 {
		rejLambda = math.Ln2 / cfg.RejectHalfLife.Seconds()
	}
	rejFrom := now.Add(-horizon)

	var rejected float64
	for i := range summaries {
		s := &summaries[i]
		if !s.Start.Before(now) {
			continue
		}
		if penalise && s.Rejected > 0 && (horizon == 0 || s.End.After(rejFrom)) {
			w := 1.0
			if rejLambda > 0 && s.End.Before(now) {
				w = math.Exp(-rejLambda * now.Sub(s.End).Seconds())
			}
			rejected += float64(s.Rejected) * w
		}
		span := s.End.Sub(s.Start)
		if span <= 0 {
			continue
		}
		frac := min(max(float64(s.Offline)/float64(span), 0), 1)
		// Ages in seconds before now of the summary's ends (clipped to now).
		ageEnd := 0.0
		if s.End.Before(now) {
			ageEnd = now.Sub(s.End).Seconds()
		}
		ageStart := now.Sub(s.Start).Seconds()
		for j, w := range ws {
			if ageEnd >= w.length {
				continue
			}
			d := min(ageStart, w.length) - ageEnd // seconds of the summary inside the window
			if !(d > 0) {
				continue
			}
			weight := d
			if w.lambda > 0 {
				// ∫ e^{-λ·age} over the ages [ageEnd, ageEnd+d].
				weight = math.Exp(-w.lambda*ageEnd) * -math.Expm1(-w.lambda*d) / w.lambda
			}
			sums[j].observed += weight
			sums[j].offline += frac * weight
		}
	}

	avail := NeutralScore
	var num, den float64
	for j, w := range ws {
		if !(sums[j].observed > 0) {
			continue
		}
		a := min(max(1-sums[j].offline/sums[j].observed, 0), 1)
		num += w.weight * a
		den += w.weight
	}
	if den > 0 {
		avail = num / den
	}
	score := avail
	if penalise {
		score *= math.Exp(-cfg.RejectPenalty * rejected)
	}
	return clamp01(score)
}

// ConnManagerTagMax is the connection-manager tag of a perfect peer.
const ConnManagerTagMax = 100

// ScoreToConnManagerTag maps a score to a connection-manager tag value in
// [0, ConnManagerTagMax]: round(score·100). The connection manager trims peers
// with the lowest tag sums first, so a peer with a poor record goes first.
// Scores outside [0, 1] are clamped; NaN counts as 0.
func ScoreToConnManagerTag(score float64) int {
	return int(math.Round(clamp01(score) * ConnManagerTagMax))
}

// GossipScoreScale is the gossipsub application-specific score of a perfect
// peer (or one without evidence).
const GossipScoreScale = 10

// ScoreToGossip maps a score to gossipsub's application-specific peer score:
// score·GossipScoreScale, in [0, 10]. It is never negative, on purpose:
// availability is not misbehaviour, so past downtime may only lower a peer's
// preference (mesh retention, opportunistic grafting), never push it under
// gossipsub's gossip, publish or graylist thresholds, which are all negative.
// Only gossipsub's own misbehaviour counters (invalid messages) can do that.
// Scores outside [0, 1] are clamped; NaN counts as 0.
func ScoreToGossip(score float64) float64 {
	return clamp01(score) * GossipScoreScale
}

func clamp01(x float64) float64 {
	if !(x > 0) { // also NaN
		return 0
	}
	return min(x, 1)
}
