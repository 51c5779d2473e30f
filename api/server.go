package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultListen is where the API listens unless told otherwise: loopback only,
// since anyone who reaches it can publish as this node.
const DefaultListen = "127.0.0.1:7400"

// DefaultMaxBodyBytes is the default of Config.MaxBodyBytes: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Config tunes the API. Zero values take the defaults below.
type Config struct {
	// Listen is the TCP address; port 0 picks a free port (see Addr).
	// Default DefaultListen.
	Listen string
	// MinPeers is how many connected registered peers /readyz needs. 0 is
	// allowed (a single-node devnet).
	MinPeers int
	// StallAfter: /readyz fails when the registry view has had no successful
	// sync round (RPC call) for longer than this, whether or not blocks come.
	// 0 disables the check.
	StallAfter time.Duration
	// MaxBodyBytes caps a publish body; larger answers 413. Default 1 MiB.
	MaxBodyBytes int64
	// MaxSubscribers caps concurrent SSE subscriptions; beyond it 503.
	// Default 64.
	MaxSubscribers int
	// SubscriberBuffer is each SSE subscriber's queue of messages not yet
	// written; a subscriber that lets it fill is disconnected. Default 256.
	SubscriberBuffer int
	// Heartbeat is how often an idle SSE stream gets a comment line, so
	// proxies and clients see it alive. Default 15s.
	Heartbeat time.Duration
	// WriteTimeout bounds writing one response, and each write to an SSE
	// stream. Default 30s.
	WriteTimeout time.Duration
	// BodyTimeout bounds reading a request body. Default 30s.
	BodyTimeout time.Duration
}

func (c *Config) applyDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxSubscribers == 0 {
		c.MaxSubscribers = 64
	}
	if c.SubscriberBuffer == 0 {
		c.SubscriberBuffer = 256
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 30 * time.Second
	}
	if c.BodyTimeout == 0 {
		c.BodyTimeout = 30 * time.Second
	}
}

func (c *Config) validate() error {
	switch {
	case c.MinPeers < 0:
		return fmt.Errorf("min_peers %d is negative", c.MinPeers)
	case c.StallAfter < 0:
		return fmt.Errorf("stall after %s is negative", c.StallAfter)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("max_body_bytes %d is negative", c.MaxBodyBytes)
	case c.MaxSubscribers < 0:
		return fmt.Errorf("max subscribers %d is negative", c.MaxSubscribers)
	case c.SubscriberBuffer < 0:
		return fmt.Errorf("subscriber buffer %d is negative", c.SubscriberBuffer)
	case c.Heartbeat < 0, c.WriteTimeout < 0, c.BodyTimeout < 0:
		return errors.New("api timeouts must be positive")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen %q: %w (want host:port, e.g. %s)", c.Listen, err, DefaultListen)
	}
	return nil
}

// Deps are the parts of the node the API serves. All are required but Logger.
type Deps struct {
	Info     Info
	Network  Network
	Registry Registry
	Evidence Evidence
	// Standing, if set, reports this node's own registration: /readyz fails
	// while it is not active.
	Standing Standing
	// Reports, if set, serves /v1/reports (503 without it).
	Reports ReportsSource
	// Gatherer is what GET /metrics serves (normally the node's registry).
	Gatherer prometheus.Gatherer
	// Registerer takes the API's own metrics.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

func (d *Deps) validate() error {
	var missing []string
	if d.Network == nil {
		missing = append(missing, "Network")
	}
	if d.Registry == nil {
		missing = append(missing, "Registry")
	}
	if d.Evidence == nil {
		missing = append(missing, "Evidence")
	}
	if d.Gatherer == nil {
		missing = append(missing, "Gatherer")
	}
	if d.Registerer == nil {
		missing = append(missing, "Registerer")
	}
	if len(missing) > 0 {
		return fmt.Errorf("api: missing dependencies: %s", strings.Join(missing, ", "))
	}
	return nil
}

// ErrClosed: the server was closed.
var ErrClosed = errors.New("api server closed")

// Server is the local HTTP API. Start listens; Close shuts down gracefully.
type Server struct {
	cfg     Config
	d       Deps
	log     *slog.Logger
	m       *metrics
	handler http.Handler
	srv     *http.Server
	started time.Time

	// slots bounds concurrent SSE subscribers.
	slots chan struct{}
	// closing ends every SSE stream when Close begins.
	closing     context.Context
	stopStreams context.CancelFunc

	mu      sync.Mutex
	ln      net.Listener
	running bool
	closed  bool
	// wg counts the serve goroutine and SSE handlers.
	wg sync.WaitGroup
	// failed receives the error that ended serving before Close.
	failed chan error

	closeOnce sync.Once
	closeErr  error
}

// route is one endpoint: its mux pattern, its bounded metric label and the
// status code of success (pre-initialised in the metrics).
type route struct {
	pattern string
	label   string
	ok      int
	h       http.HandlerFunc
}

// New builds the API. Call Start to listen.
func New(cfg Config, d Deps) (*Server, error) {
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("api config: %w", err)
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{cfg: cfg, d: d, log: d.Logger, started: d.Info.Started, slots: make(chan struct{}, cfg.MaxSubscribers), failed: make(chan error, 1)}
	if s.started.IsZero() {
		s.started = time.Now()
	}
	s.closing, s.stopStreams = context.WithCancel(context.Background())

	routes := []route{
		{"GET /metrics", "/metrics", http.StatusOK, promhttp.HandlerFor(d.Gatherer, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP},
		{"GET /healthz", "/healthz", http.StatusOK, s.healthz},
		{"GET /readyz", "/readyz", http.StatusOK, s.readyz},
		{"GET /v1/status", "/v1/status", http.StatusOK, s.status},
		{"GET /v1/peers", "/v1/peers", http.StatusOK, s.peers},
		{"GET /v1/evidence", "/v1/evidence", http.StatusOK, s.evidence},
		{"GET /v1/reports", "/v1/reports", http.StatusOK, s.reports},
		{"POST /v1/publish/{topic}", "/v1/publish/{topic}", http.StatusAccepted, s.publish},
		{"GET /v1/subscribe/{topic}", "/v1/subscribe/{topic}", http.StatusOK, s.subscribe},
	}
	m, err := newMetrics(d.Registerer, routes, func() bool { return s.Readiness().Ready })
	if err != nil {
		return nil, err
	}
	s.m = m
	mux := http.NewServeMux()
	for _, r := range routes {
		label := r.label
		h := r.h
		mux.HandleFunc(r.pattern, func(w http.ResponseWriter, req *http.Request) {
			if rec, ok := w.(*recorder); ok {
				rec.route = label
			}
			h(w, req)
		})
	}
	s.handler = s.instrument(mux)
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		// No ReadTimeout or WriteTimeout: either would cut SSE streams. Bodies
		// and responses get per-request deadlines instead (instrument, publish).
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(d.Logger.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// Start listens on cfg.Listen and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.running:
		return errors.New("api server already started")
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("api listen on %s: %w", s.cfg.Listen, err)
	}
	s.ln, s.running = ln, true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.failed <- fmt.Errorf("api serve on %s: %w", ln.Addr(), err)
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		s.log.Warn("api listening beyond loopback: anyone who reaches it can publish as this node", "addr", addr.String())
	} else {
		s.log.Info("api listening", "addr", addr.String())
	}
	return nil
}

// Failed delivers the error that ended serving, when serving ends before
// Close (the listener died): the server's owner decides what follows.
func (s *Server) Failed() <-chan error { return s.failed }

// Addr is the address the server listens on (the real port when cfg.Listen
// asked for port 0); empty before Start.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is the API's base URL, "http://<Addr>"; empty before Start.
func (s *Server) URL() string {
	if a := s.Addr(); a != "" {
		return "http://" + a
	}
	return ""
}

// Close ends every SSE stream, stops accepting requests and waits for the
// ones in flight until ctx ends, then closes what is left. It is idempotent:
// later calls wait for the first and return its result.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		running := s.running
		s.mu.Unlock()
		s.stopStreams()
		if running {
			if err := s.srv.Shutdown(ctx); err != nil {
				s.closeErr = fmt.Errorf("api shutdown: %w", err)
				_ = s.srv.Close()
			}
		}
		s.wg.Wait()
	})
	return s.closeErr
}

// track registers an SSE handler with the server's WaitGroup; false once
// Close has begun.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// instrument counts every request by route and code and gives its response a
// write deadline (SSE handlers replace it per write).
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w, route: routeUnmatched}
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		// Deferred, so a request aborted with http.ErrAbortHandler counts too.
		defer func() {
			code := rec.code
			if code == 0 {
				code = http.StatusOK
			}
			s.m.requests.WithLabelValues(rec.route, strconv.Itoa(code)).Inc()
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder captures the status code and the route label.
type recorder struct {
	http.ResponseWriter
	route string
	code  int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and the deadlines.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
