package chain

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type registryMetrics struct {
	block     prometheus.Gauge
	head      prometheus.Gauge
	nodes     prometheus.Gauge
	rpcErrors prometheus.Counter
	resyncs   *prometheus.CounterVec
	events    *prometheus.CounterVec
	changes   *prometheus.CounterVec
	invalid   prometheus.Counter
}

func newRegistryMetrics(reg prometheus.Registerer) (*registryMetrics, error) {
	m := &registryMetrics{
		block: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_chain_registry_block",
			Help: "Last block whose registry events the view has applied.",
		}),
		head: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_chain_head_block",
			Help: "Latest chain head (or finalized block) the view has seen.",
		}),
		nodes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_chain_registry_nodes",
			Help: "Active nodes in the registry view.",
		}),
		rpcErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_chain_sync_errors_total",
			Help: "Registry sync rounds that failed (RPC unreachable, bad answers); the view is kept and retried.",
		}),
		resyncs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_chain_snapshots_total",
			Help: "Full registry snapshots taken, by reason (initial, reorg).",
		}, []string{"reason"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_chain_registry_events_total",
			Help: "Registry events processed, by result (applied, invalid).",
		}, []string{"result"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_chain_membership_changes_total",
			Help: "Changes to the active set published to subscribers, by kind (added, updated, removed).",
		}, []string{"kind"}),
		invalid: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_chain_invalid_nodes_total",
			Help: "Registry entries left out of the view because they broke the contract's bounds.",
		}),
	}
	for _, r := range []string{"initial", "reorg"} {
		m.resyncs.WithLabelValues(r)
	}
	for _, r := range []string{"applied", "invalid"} {
		m.events.WithLabelValues(r)
	}
	for _, k := range []ChangeKind{Added, Updated, Removed} {
		m.changes.WithLabelValues(k.String())
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.block, m.head, m.nodes, m.rpcErrors, m.resyncs, m.events, m.changes, m.invalid} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("register chain metrics"), err)
		}
	}
	return m, nil
}
