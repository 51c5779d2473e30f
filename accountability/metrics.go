package accountability

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	signed        prometheus.Counter
	publishFailed prometheus.Counter
	received      *prometheus.CounterVec
	windows       *prometheus.CounterVec
	reports       *prometheus.CounterVec
	ready         prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		signed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_accountability_attestations_signed_total",
			Help: "Offline attestations this node signed about its peers.",
		}),
		publishFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_accountability_attestations_publish_failed_total",
			Help: "Own attestations that could not be gossiped (kept all the same).",
		}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_accountability_attestations_total",
			Help: "Attestations, own and gossiped, by what the store did with them: kept, duplicate, error.",
		}, []string{"result"}),
		windows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_accountability_windows_total",
			Help: "Report windows that ended, by whether this node attested (attested) or the registry would not count its attestations (not_eligible: not active since before the window began).",
		}, []string{"result"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_accountability_reports_total",
			Help: "Offline reports this node's turn came for, by outcome: sent, failed, reported (another attester had sent it).",
		}, []string{"result"}),
		ready: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_accountability_quorums",
			Help: "Node-windows whose attestations reach the quorum and whose deadline has not passed.",
		}),
	}
	for _, r := range []string{"kept", "duplicate", "error"} {
		m.received.WithLabelValues(r)
	}
	for _, r := range []string{"attested", "not_eligible"} {
		m.windows.WithLabelValues(r)
	}
	for _, r := range []string{SubmissionSent, SubmissionFailed, SubmissionReported} {
		m.reports.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.signed, m.publishFailed, m.received, m.windows, m.reports, m.ready} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
