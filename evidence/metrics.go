package evidence

import (
	"errors"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the liveness recorder's: it changes every one of them.
type metrics struct {
	peers       *prometheus.GaugeVec
	dropped     prometheus.Counter
	transitions *prometheus.CounterVec
	writeErrors prometheus.Counter
	scoresMu    sync.Mutex
	scores      prometheus.Histogram
	reg         prometheus.Registerer
	scoreOpts   prometheus.HistogramOpts
	exports     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		peers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "validator_liveness_peers", Help: "Registered peers by liveness state (unknown, responsive, slow, offline, unreached).",
		}, []string{"state"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_liveness_observations_dropped_total",
			Help: "Probe results not recorded as evidence because this node was not active in the registry (its peers refuse it, so a failed probe says nothing about them).",
		}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_liveness_transitions_total", Help: "Liveness state changes, by the state entered.",
		}, []string{"to"}),
		writeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_evidence_write_errors_total", Help: "Evidence records the store refused; each is also logged.",
		}),
		exports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_evidence_exports_total", Help: "Signed evidence reports served, by requester (local, peer).",
		}, []string{"requester"}),
		scoreOpts: prometheus.HistogramOpts{
			Name:    "validator_reputation_score",
			Help:    "Distribution of peer reputation scores (0..1), recomputed every interval.",
			Buckets: prometheus.LinearBuckets(0.1, 0.1, 10),
		},
		reg: reg,
	}
	m.scores = prometheus.NewHistogram(m.scoreOpts)
	for _, s := range []string{"unknown", "responsive", "slow", "offline"} {
		m.peers.WithLabelValues(s)
		m.transitions.WithLabelValues(s)
	}
	for _, r := range []string{"local", "peer"} {
		m.exports.WithLabelValues(r)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.peers, m.dropped, m.transitions, m.writeErrors, m.exports, scoreCollector{m}} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("register evidence metrics"), err)
		}
	}
	return m, nil
}

// setScores replaces the distribution: the histogram shows the current
// scores, not every score ever computed.
func (m *metrics) setScores(scores map[[20]byte]float64) {
	h := prometheus.NewHistogram(m.scoreOpts)
	for _, s := range scores {
		h.Observe(s)
	}
	m.scoresMu.Lock()
	m.scores = h
	m.scoresMu.Unlock()
}

// scoreCollector exposes whichever histogram is current.
type scoreCollector struct{ m *metrics }

func (c scoreCollector) Describe(ch chan<- *prometheus.Desc) {
	prometheus.NewHistogram(c.m.scoreOpts).Describe(ch)
}

func (c scoreCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.scoresMu.Lock()
	h := c.m.scores
	c.m.scoresMu.Unlock()
	h.Collect(ch)
}
