package reputation

import (
	"time"

	"validator/internal/settings"
)

// LivenessSection is the [liveness] section of validator.toml: how peers are
// probed and classified. Tracker is the part this package runs; Probe is the
// part p2p's prober runs (p2p.FromSections takes it).
type LivenessSection struct {
	PingInterval    settings.Duration `toml:"ping_interval" comment:"Probe every registered peer this often (with jitter)."`
	PingTimeout     settings.Duration `toml:"ping_timeout" comment:"A ping unanswered for this long is a miss."`
	SlowRTT         settings.Duration `toml:"slow_rtt" comment:"RTT moving average above which a peer is Slow (never penalised)."`
	OfflineAfter    int               `toml:"offline_after" comment:"Consecutive failed probes that make a peer Offline."`
	SummaryInterval settings.Duration `toml:"summary_interval" comment:"Evidence summary interval per peer."`
}

// DefaultLivenessSection holds the defaults of [liveness]: DefaultConfig's
// classification, probed every 10 s with a 5 s timeout.
func DefaultLivenessSection() LivenessSection {
	d := DefaultConfig()
	return LivenessSection{
		PingInterval:    settings.Duration(10 * time.Second),
		PingTimeout:     settings.Duration(5 * time.Second),
		SlowRTT:         settings.Duration(d.SlowRTT),
		OfflineAfter:    d.OfflineAfter,
		SummaryInterval: settings.Duration(d.Interval),
	}
}

// Tracker is the Tracker's configuration from the section.
func (s LivenessSection) Tracker() Config {
	return Config{SlowRTT: s.SlowRTT.D(), OfflineAfter: s.OfflineAfter, Interval: s.SummaryInterval.D()}
}

// Probe is how the section asks peers to be probed (p2p.Probing).
func (s LivenessSection) Probe() (interval, timeout time.Duration, offlineAfter int) {
	return s.PingInterval.D(), s.PingTimeout.D(), s.OfflineAfter
}

// Problems reports every invalid value of [liveness] under its dotted key.
func (s LivenessSection) Problems() settings.Problems {
	var ps settings.Problems
	def := DefaultLivenessSection()
	ps.Positive("liveness.ping_interval", s.PingInterval, def.PingInterval)
	ps.Positive("liveness.ping_timeout", s.PingTimeout, def.PingTimeout)
	if s.PingTimeout > 0 && s.PingInterval > 0 && s.PingTimeout >= s.PingInterval {
		ps.Add("liveness.ping_timeout", "%q must be shorter than liveness.ping_interval (%q), so that one probe ends before the next starts",
			s.PingTimeout.String(), s.PingInterval.String())
	}
	ps.Positive("liveness.slow_rtt", s.SlowRTT, def.SlowRTT)
	if s.SlowRTT > 0 && s.PingTimeout > 0 && s.SlowRTT >= s.PingTimeout {
		ps.Add("liveness.slow_rtt", "%q must be shorter than liveness.ping_timeout (%q), or no peer can ever be Slow (a slower answer is a miss)",
			s.SlowRTT.String(), s.PingTimeout.String())
	}
	if s.OfflineAfter < 1 {
		ps.Add("liveness.offline_after", "%d must be at least 1, such as %d", s.OfflineAfter, def.OfflineAfter)
	}
	ps.Positive("liveness.summary_interval", s.SummaryInterval, def.SummaryInterval)
	if s.SummaryInterval > 0 && s.PingInterval > 0 && s.SummaryInterval < s.PingInterval {
		ps.Add("liveness.summary_interval", "%q must be at least liveness.ping_interval (%q): a summary needs probes",
			s.SummaryInterval.String(), s.PingInterval.String())
	}
	return ps
}
