package p2p

import (
	"errors"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	peers        prometheus.Gauge
	gated        *prometheus.CounterVec
	handshakes   *prometheus.CounterVec
	dials        *prometheus.CounterVec
	skipped      *prometheus.CounterVec
	messages     *prometheus.CounterVec
	validation   prometheus.Histogram
	published    *prometheus.CounterVec
	bytesIn      *prometheus.CounterVec
	bytesOut     *prometheus.CounterVec
	addrBook     prometheus.Gauge
	addrExpired  prometheus.Counter
	idleClosed   prometheus.Counter
	probeCloses  prometheus.Counter
	observations *prometheus.CounterVec
	rtt          prometheus.Histogram
	dropped      *prometheus.CounterVec
	refused      *prometheus.CounterVec

	// gossipRestarts: peers closed because pubsub ended its stream to them
	// while connected (p2p/gossip.go, gossipStreamEnded).
	gossipRestarts prometheus.Counter

	// unauthenticated inbound connections (p2p/accept.go)
	unauthRefused *prometheus.CounterVec
	unauthPending prometheus.Gauge
}

// Reasons a Publish is refused (label "reason" of
// validator_p2p_publish_refused_total).
var publishRefusals = []string{"busy", "not_allowed", "too_large", "bad_payload"}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		peers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_p2p_peers", Help: "Connected peers.",
		}),
		gated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_connections_refused_total", Help: "Connections refused by the registry gate, by direction.",
		}, []string{"direction"}),
		handshakes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_handshakes_total", Help: "Status handshakes by result (ok, mismatch, invalid, error, timeout).",
		}, []string{"result"}),
		dials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_dials_total", Help: "Discovery dials by address source (bootstrap, registry, mdns, discv5, dht) and result (ok, failed; miss: the DHT did not know the peer).",
		}, []string{"source", "result"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_discovery_skipped_total", Help: "Peers mDNS or discv5 found and discovery never dialled, by source (mdns, discv5) and reason (unregistered; other_network: an ENR of another network or none).",
		}, []string{"source", "reason"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_messages_total", Help: "Gossip messages validated, by topic and result (ok or the reason for refusal).",
		}, []string{"topic", "result"}),
		validation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "validator_p2p_validation_duration_seconds", Help: "Time to validate one gossip envelope.",
			Buckets: prometheus.ExponentialBuckets(5e-6, 2, 14),
		}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_published_total", Help: "Messages this node published, by topic.",
		}, []string{"topic"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_received_bytes_total", Help: "Bytes of accepted gossip envelopes, by topic.",
		}, []string{"topic"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_published_bytes_total", Help: "Bytes of envelopes this node published, by topic.",
		}, []string{"topic"}),
		addrBook: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_p2p_addrbook_entries", Help: "Peers in the heartbeat address book.",
		}),
		addrExpired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_p2p_addrbook_expired_total", Help: "Address-book entries dropped after the peer went silent.",
		}),
		idleClosed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_p2p_idle_closed_total", Help: "Connections closed after idle_timeout without streams.",
		}),
		probeCloses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_p2p_probe_connections_closed_total", Help: "Connections a liveness probe dialled and closed after it, the node having its target of peers without them.",
		}),
		gossipRestarts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_p2p_gossip_restarts_total", Help: "Peers whose connections were closed because gossipsub ended its stream to them while they stayed connected (it forgets their subscriptions then); the next connection restarts gossip on both sides.",
		}),
		observations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_pings_total", Help: "Liveness probes of registered peers, by result (answered, miss, unreachable).",
		}, []string{"result"}),
		rtt: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "validator_p2p_ping_rtt_seconds", Help: "Round-trip time of answered liveness pings.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		unauthRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_unauthenticated_refused_total",
			Help: "Inbound connections refused or closed before the security handshake, by reason (per_address, total, deadline, rate).",
		}, []string{"reason"}),
		unauthPending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_p2p_unauthenticated_connections", Help: "Inbound TCP connections accepted whose security handshake is in flight.",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_gossip_dropped_total",
			Help: "Gossip messages dropped for lack of room, by topic, where (peer_queue, validation, subscriber) and reason (own, forward, queue_full, throttled, buffer_full).",
		}, []string{"topic", "where", "reason"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_p2p_publish_refused_total",
			Help: "Own publishes refused before gossip, by topic and reason (busy, not_allowed, too_large, bad_payload).",
		}, []string{"topic", "reason"}),
	}
	for _, r := range []string{"answered", "miss", "unreachable"} {
		m.observations.WithLabelValues(r)
	}
	for _, r := range pendingRefusals {
		m.unauthRefused.WithLabelValues(r)
	}
	for _, d := range []string{"inbound", "outbound"} {
		m.gated.WithLabelValues(d)
	}
	for _, r := range []string{"ok", "mismatch", "invalid", "error", "timeout"} {
		m.handshakes.WithLabelValues(r)
	}
	for _, src := range []string{"mdns", "discv5"} {
		m.skipped.WithLabelValues(src, "unregistered")
	}
	m.skipped.WithLabelValues("discv5", "other_network")
	for _, src := range []string{"bootstrap", "registry", "mdns", "discv5", "dht"} {
		m.dials.WithLabelValues(src, "ok")
		m.dials.WithLabelValues(src, "failed")
	}
	m.dials.WithLabelValues("dht", "miss")
	for _, t := range StandardTopics {
		for _, r := range append(slices.Clone(ValidationReasons), payloadReasons...) {
			m.messages.WithLabelValues(t, r)
		}
		m.published.WithLabelValues(t)
		m.bytesIn.WithLabelValues(t)
		m.bytesOut.WithLabelValues(t)
		for _, r := range publishRefusals {
			m.refused.WithLabelValues(t, r)
		}
	}
	for _, t := range append(append([]string(nil), StandardTopics...), topicOther) {
		for _, k := range dropKinds {
			m.dropped.WithLabelValues(t, k.where, k.reason)
		}
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.peers, m.gated, m.handshakes, m.dials, m.skipped, m.messages, m.validation, m.published, m.bytesIn, m.bytesOut, m.addrBook, m.addrExpired, m.idleClosed, m.probeCloses, m.gossipRestarts, m.observations, m.rtt, m.unauthRefused, m.unauthPending, m.dropped, m.refused} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("register p2p metrics"), err)
		}
	}
	return m, nil
}
