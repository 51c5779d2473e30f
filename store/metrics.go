package store

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Record kinds, the values of the kind label.
const (
	kindTransition  = "transition"
	kindSummary     = "summary"
	kindPeer        = "peer"
	kindAddr        = "addr"
	kindAttestation = "attestation"
	kindSubmission  = "submission"
)

var kinds = []string{kindTransition, kindSummary, kindPeer, kindAddr, kindAttestation, kindSubmission}

type metrics struct {
	writes        *prometheus.CounterVec
	writeErrors   *prometheus.CounterVec
	writeDuration *prometheus.HistogramVec
	corrupt       *prometheus.CounterVec
	gcRuns        prometheus.Counter
	gcErrors      prometheus.Counter
	vlogRewrites  prometheus.Counter
	addrsExpired  prometheus.Counter
	attestations  prometheus.GaugeFunc
	size          *sizeCollector

	reg        prometheus.Registerer
	registered []prometheus.Collector
}

func newMetrics(reg prometheus.Registerer, size func() (lsm, vlog int64), attestations func() float64) *metrics {
	m := &metrics{
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_store_writes_total", Help: "Records written, by kind (transition, summary, peer, addr, attestation, submission).",
		}, []string{"kind"}),
		writeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_store_write_errors_total", Help: "Write calls that failed or were refused as invalid, by record kind.",
		}, []string{"kind"}),
		writeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "validator_store_write_duration_seconds", Help: "Duration of one write call (a whole batch for batched calls), by record kind.",
			Buckets: prometheus.ExponentialBuckets(20e-6, 4, 9),
		}, []string{"kind"}),
		corrupt: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_store_corrupt_records_total", Help: "Stored records that could not be decoded when read, by kind.",
		}, []string{"kind"}),
		gcRuns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_store_gc_runs_total", Help: "Garbage-collection cycles run (value-log GC and expiry of silent address-book entries).",
		}),
		gcErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_store_gc_errors_total", Help: "Garbage-collection cycles that ended in an error.",
		}),
		vlogRewrites: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_store_vlog_rewrites_total", Help: "Value-log files rewritten by garbage collection.",
		}),
		addrsExpired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_store_addrs_expired_total", Help: "Address-book entries deleted because the peer was silent for longer than the retention.",
		}),
		attestations: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "validator_store_attestations", Help: "Offline attestations stored; at store.MaxAttestations new ones are refused.",
		}, attestations),
		size: &sizeCollector{
			desc: prometheus.NewDesc("validator_store_size_bytes",
				"Bytes on disk, by part: lsm (sorted tables) and vlog (value log and memtable write-ahead logs, allocated bytes).",
				[]string{"part"}, nil),
			size: size,
		},
		reg: reg,
	}
	for _, k := range kinds {
		m.writes.WithLabelValues(k)
		m.writeErrors.WithLabelValues(k)
		m.writeDuration.WithLabelValues(k)
		m.corrupt.WithLabelValues(k)
	}
	return m
}

func (m *metrics) register() error {
	if m.reg == nil {
		return nil
	}
	for _, c := range []prometheus.Collector{m.writes, m.writeErrors, m.writeDuration, m.corrupt, m.gcRuns, m.gcErrors, m.vlogRewrites, m.addrsExpired, m.attestations, m.size} {
		if err := m.reg.Register(c); err != nil {
			m.unregister()
			return errors.Join(errors.New("register store metrics"), err)
		}
		m.registered = append(m.registered, c)
	}
	return nil
}

// unregister removes the collectors again, so that a store can be reopened on
// the same registry (restarts in tests, node restarts in-process).
func (m *metrics) unregister() {
	for _, c := range m.registered {
		m.reg.Unregister(c)
	}
	m.registered = nil
}

// sizeCollector reports the store's size at scrape time.
type sizeCollector struct {
	desc *prometheus.Desc
	size func() (lsm, vlog int64)
}

func (c *sizeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sizeCollector) Collect(ch chan<- prometheus.Metric) {
	lsm, vlog := c.size()
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(lsm), "lsm")
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(vlog), "vlog")
}
