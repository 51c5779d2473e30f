package api

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// routeUnmatched labels requests no route matched (404, 405 from the mux).
const routeUnmatched = "unmatched"

// Reasons an SSE stream ends.
const (
	endClient   = "client"        // the client went away
	endSlow     = "slow_consumer" // its buffer overflowed
	endShutdown = "shutdown"      // the API is closing
	endError    = "error"         // the subscription or a write failed
)

type metrics struct {
	requests    *prometheus.CounterVec
	sseClients  prometheus.Gauge
	sseEnded    *prometheus.CounterVec
	sseMessages prometheus.Counter
}

// newMetrics registers the API's metrics on reg; ready is evaluated at each
// scrape for validator_ready.
func newMetrics(reg prometheus.Registerer, routes []route, ready func() bool) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_api_requests_total",
			Help: "Local API requests by route pattern and HTTP status code; server-sent event streams count when they end.",
		}, []string{"route", "code"}),
		sseClients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "validator_api_sse_clients",
			Help: "Open server-sent event subscriptions.",
		}),
		sseEnded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "validator_api_sse_streams_ended_total",
			Help: "Server-sent event streams ended, by reason (client, slow_consumer, shutdown, error).",
		}, []string{"reason"}),
		sseMessages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "validator_api_sse_messages_total",
			Help: "Messages written to server-sent event subscribers.",
		}),
	}
	for _, r := range routes {
		m.requests.WithLabelValues(r.label, strconv.Itoa(r.ok))
	}
	for _, r := range []string{endClient, endSlow, endShutdown, endError} {
		m.sseEnded.WithLabelValues(r)
	}
	readyGauge := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "validator_ready",
		Help: "1 when the node is ready as GET /readyz reports it (this node active in the registry, registry synced and not stalled, at least api.min_peers connected registered peers), else 0.",
	}, func() float64 {
		if ready() {
			return 1
		}
		return 0
	})
	for _, c := range []prometheus.Collector{m.requests, m.sseClients, m.sseEnded, m.sseMessages, readyGauge} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return nil, errors.New("register api metrics: already registered (one API per registry)")
			}
			return nil, err
		}
	}
	return m, nil
}
