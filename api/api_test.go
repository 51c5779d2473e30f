package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"

	"validator/api"
	"validator/evidence"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is a real API server on 127.0.0.1:0 over in-memory parts.
type env struct {
	srv  *api.Server
	net  *fakeNet
	reg  *fakeRegistry
	ev   *fakeEvidence
	prom *prometheus.Registry
	info api.Info
	c    *api.Client
	hc   *http.Client
}

func start(t *testing.T, cfg api.Config) *env {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	e := &env{net: newFakeNet(), reg: &fakeRegistry{}, ev: newFakeEvidence(), prom: prometheus.NewRegistry()}
	e.info = api.Info{
		NodeID: common.HexToAddress("0x00000000000000000000000000000000000000aa"), PeerID: "16Uiu2Self",
		Network: "testnet", ChainID: 1337, Registry: common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
		Version: "v0.0.0-test", Started: time.Now().Add(-time.Minute), StoreSchemaVersion: 3,
	}
	srv, err := api.New(cfg, api.Deps{
		Info: e.info, Network: e.net, Registry: e.reg, Evidence: e.ev, Gatherer: e.prom, Registerer: e.prom,
	})
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	e.srv = srv
	e.c = api.NewClient(srv.URL())
	e.hc = &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		e.c.Close()
		e.hc.CloseIdleConnections()
	})
	return e
}

// do sends a raw request and returns the status, headers and body.
func (e *env) do(t *testing.T, method, path string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}

// errorOf decodes a JSON error body.
func errorOf(t *testing.T, b []byte) string {
	t.Helper()
	var eb struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error == "" {
		t.Fatalf("want a JSON error body, got %q (%v)", b, err)
	}
	return eb.Error
}

// metric returns the value of the series name{labels} in the registry, or
// -1 if there is none.
func (e *env) metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := e.prom.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			return value(m)
		}
	}
	return -1
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return -1
}

// eventually polls cond until it holds or a generous deadline passes (a
// deadline against hangs, not a performance assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestHealthz(t *testing.T) {
	e := start(t, api.Config{})
	code, h, body := e.do(t, http.MethodGet, "/healthz", nil)
	if code != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q", ct)
	}
	if code, _, _ := e.do(t, http.MethodPost, "/healthz", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d, want 405", code)
	}
	if code, _, _ := e.do(t, http.MethodGet, "/nope", nil); code != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", code)
	}
}

func TestReadyzFlipsWhenSyncedWithPeers(t *testing.T) {
	e := start(t, api.Config{MinPeers: 2})
	ready := func() (int, api.Readiness) {
		code, _, body := e.do(t, http.MethodGet, "/readyz", nil)
		var r api.Readiness
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("readyz body %q: %v", body, err)
		}
		// The gauge says what /readyz says.
		want := 0.0
		if r.Ready {
			want = 1
		}
		if g := e.metric(t, "validator_ready", nil); g != want {
			t.Errorf("validator_ready %v, /readyz ready %v", g, r.Ready)
		}
		return code, r
	}

	e.reg.set(api.RegistryStatus{Synced: false, LastError: "dial rpc: connection refused"})
	code, r := ready()
	if code != http.StatusServiceUnavailable || r.Ready || r.RegistrySynced || r.MinPeers != 2 || len(r.Failing) != 2 {
		t.Fatalf("unsynced, no peers: %d %+v", code, r)
	}
	if !strings.Contains(r.Failing[0], "registry not synced: dial rpc: connection refused") ||
		!strings.Contains(r.Failing[1], "0 connected registered peers, need 2") {
		t.Errorf("failing: %q", r.Failing)
	}

	e.reg.set(api.RegistryStatus{Synced: true, Block: 10, Head: 10, Nodes: 3})
	e.net.setPeerCount(1)
	code, r = ready()
	if code != http.StatusServiceUnavailable || r.Ready || !r.RegistrySynced || len(r.Failing) != 1 ||
		!strings.Contains(r.Failing[0], "1 connected registered peers, need 2") {
		t.Fatalf("synced, 1 peer: %d %+v", code, r)
	}
	// The client reports a 503 as a readiness, not an error.
	cr, err := e.c.Ready(context.Background())
	if err != nil || cr.Ready || len(cr.Failing) != 1 {
		t.Fatalf("client ready: %+v, %v", cr, err)
	}

	e.net.setPeerCount(2)
	code, r = ready()
	if code != http.StatusOK || !r.Ready || len(r.Failing) != 0 || r.Peers != 2 {
		t.Fatalf("synced, 2 peers: %d %+v", code, r)
	}

	// And back: the registry losing sync makes the node unready again.
	e.reg.set(api.RegistryStatus{Synced: false})
	if code, _ := ready(); code != http.StatusServiceUnavailable {
		t.Fatalf("unsynced again: %d", code)
	}
}

func TestStatus(t *testing.T) {
	e := start(t, api.Config{})
	last := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	rs := api.RegistryStatus{Synced: true, Block: 90, BlockHash: common.HexToHash("0xabc"), Head: 100, Nodes: 7, LastError: "", LastSuccess: last}
	e.reg.set(rs)
	e.net.setPeerCount(5)

	st, err := e.c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.NodeID != e.info.NodeID || st.PeerID != e.info.PeerID || st.Network != "testnet" || st.ChainID != 1337 ||
		st.RegistryAddress != e.info.Registry || st.Version != "v0.0.0-test" || st.PeerCount != 5 || st.StoreSchemaVersion != 3 {
		t.Errorf("status identity: %+v", st)
	}
	if st.Registry.Synced != rs.Synced || st.Registry.Block != 90 || st.Registry.Head != 100 || st.Registry.Nodes != 7 ||
		st.Registry.BlockHash != rs.BlockHash || !st.Registry.LastSuccess.Equal(last) {
		t.Errorf("status registry: %+v", st.Registry)
	}
	if len(st.ListenAddrs) != 2 || st.UptimeSeconds < 59 || !st.StartedAt.Equal(e.info.Started) {
		t.Errorf("status addrs/uptime: %v %v %v", st.ListenAddrs, st.UptimeSeconds, st.StartedAt)
	}

	// The wire names are the documented ones.
	_, _, body := e.do(t, http.MethodGet, "/v1/status", nil)
	for _, k := range []string{`"node_id"`, `"peer_id"`, `"chain_id":1337`, `"registry_address"`, `"synced":true`,
		`"block":90`, `"head":100`, `"nodes":7`, `"peer_count":5`, `"listen_addrs"`, `"version"`, `"uptime_seconds"`, `"store_schema_version":3`} {
		if !bytes.Contains(body, []byte(k)) {
			t.Errorf("status body lacks %s: %s", k, body)
		}
	}
	if bytes.Contains(body, []byte("last_error")) {
		t.Errorf("empty last_error should be omitted: %s", body)
	}
}

func TestPeers(t *testing.T) {
	e := start(t, api.Config{})
	a := common.HexToAddress("0x0000000000000000000000000000000000000001")
	b := common.HexToAddress("0x0000000000000000000000000000000000000002")
	off := common.HexToAddress("0x0000000000000000000000000000000000000003")
	since := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	e.net.set(func(n *fakeNet) {
		n.peers = []api.Peer{
			{PeerID: "16Uiu2A", NodeID: a, Registered: true, Direction: "outbound", Addrs: []string{"/ip4/10.0.0.1/tcp/9000"}, LatencyMs: 1.5, Version: "v1"},
			{PeerID: "16Uiu2B", NodeID: b, Registered: true, Direction: "inbound", Addrs: []string{"/ip4/10.0.0.2/udp/9000/quic-v1"}},
			{PeerID: "16Uiu2Stranger", Direction: "inbound"},
		}
	})
	e.ev.states[a] = api.PeerLiveness{State: "slow", Since: since, Score: 0.75}
	e.ev.states[off] = api.PeerLiveness{State: "offline", Since: since, Score: 0.1}

	peers, err := e.c.Peers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(peers) != 4 {
		t.Fatalf("want 3 connected + 1 tracked, got %+v", peers)
	}
	pa, pb, stranger, po := peers[0], peers[1], peers[2], peers[3]
	if pa.PeerID != "16Uiu2A" || pa.NodeID != a || !pa.Connected || pa.Direction != "outbound" || pa.LatencyMs != 1.5 ||
		pa.State != "slow" || pa.Score == nil || *pa.Score != 0.75 || !pa.StateSince.Equal(since) || len(pa.Addrs) != 1 {
		t.Errorf("peer a: %+v", pa)
	}
	if pb.NodeID != b || pb.State != "" || pb.Score != nil || !pb.Connected {
		t.Errorf("untracked peer b: %+v", pb)
	}
	if stranger.Registered || stranger.NodeID != (common.Address{}) || stranger.State != "" {
		t.Errorf("unregistered peer: %+v", stranger)
	}
	if po.NodeID != off || po.Connected || po.PeerID != "" || po.State != "offline" || po.Score == nil || *po.Score != 0.1 {
		t.Errorf("tracked offline peer: %+v", po)
	}

	_, _, body := e.do(t, http.MethodGet, "/v1/peers", nil)
	var raw []map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("peers is not a JSON list: %s", body)
	}
	for _, k := range []string{"peer_id", "node_id", "direction", "addrs", "latency_ms", "state", "score"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("peer JSON lacks %q: %s", k, body)
		}
	}
	if _, ok := raw[2]["node_id"]; ok {
		t.Errorf("an unregistered peer has no node_id: %v", raw[2])
	}

	// No peers at all is an empty list, not null.
	e.net.set(func(n *fakeNet) { n.peers = nil })
	e.ev.mu.Lock()
	clear(e.ev.states)
	e.ev.mu.Unlock()
	if _, _, body := e.do(t, http.MethodGet, "/v1/peers", nil); strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("no peers: %s", body)
	}
}

func TestEvidence(t *testing.T) {
	e := start(t, api.Config{})
	peer := common.HexToAddress("0x00000000000000000000000000000000000000bb")
	from := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(6 * time.Hour)

	t.Run("explicit range, verifiable", func(t *testing.T) {
		signed, err := e.c.Evidence(context.Background(), peer, from, to)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := evidence.Verify(signed)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if rep.Observer != e.ev.observer || rep.Peer != peer || !rep.From.Equal(from) || !rep.To.Equal(to) {
			t.Errorf("report: %+v", rep)
		}
	})

	t.Run("default is the last 24h", func(t *testing.T) {
		before := time.Now()
		code, _, body := e.do(t, http.MethodGet, "/v1/evidence?peer="+peer.Hex(), nil)
		after := time.Now()
		if code != http.StatusOK {
			t.Fatalf("%d %s", code, body)
		}
		var s evidence.Signed
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		if _, err := evidence.Verify(s); err != nil {
			t.Fatalf("verify: %v", err)
		}
		c := e.ev.lastCall()
		if c.to.Before(before) || c.to.After(after) || !c.from.Equal(c.to.Add(-24*time.Hour)) {
			t.Errorf("default range [%s, %s] for a request at %s", c.from, c.to, before)
		}
	})

	t.Run("from only runs to now", func(t *testing.T) {
		if code, _, body := e.do(t, http.MethodGet, "/v1/evidence?peer="+peer.Hex()+"&from=2025-06-01T00:00:00Z", nil); code != http.StatusOK {
			t.Fatalf("%d %s", code, body)
		}
		if c := e.ev.lastCall(); !c.from.Equal(from) || time.Since(c.to) > time.Minute {
			t.Errorf("range [%s, %s]", c.from, c.to)
		}
	})

	bad := []struct{ name, query, want string }{
		{"no peer", "", "missing peer"},
		{"peer not hex", "peer=bob", `bad peer "bob"`},
		{"peer short", "peer=0x1234", "bad peer"},
		{"peer without 0x", "peer=00000000000000000000000000000000000000bb", "bad peer"},
		{"bad from", "peer=" + peer.Hex() + "&from=yesterday", `bad from "yesterday": want RFC 3339`},
		{"bad to", "peer=" + peer.Hex() + "&to=1700000000", `bad to "1700000000"`},
		{"to before from", "peer=" + peer.Hex() + "&from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z", "to 2025-06-01T00:00:00Z is before from"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := e.do(t, http.MethodGet, "/v1/evidence?"+tc.query, nil)
			if code != http.StatusBadRequest {
				t.Fatalf("%d %s, want 400", code, body)
			}
			if msg := errorOf(t, body); !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
		})
	}

	t.Run("export failure", func(t *testing.T) {
		e.ev.mu.Lock()
		e.ev.err = errors.New("read transitions: disk on fire")
		e.ev.mu.Unlock()
		defer func() { e.ev.mu.Lock(); e.ev.err = nil; e.ev.mu.Unlock() }()
		_, err := e.c.Evidence(context.Background(), peer, time.Time{}, time.Time{})
		var se *api.StatusError
		if !errors.As(err, &se) || se.Code != http.StatusInternalServerError || !strings.Contains(se.Message, "disk on fire") {
			t.Fatalf("want a 500 naming the cause, got %v", err)
		}
	})
}

func TestPublish(t *testing.T) {
	e := start(t, api.Config{MaxBodyBytes: 16})
	tests := []struct {
		name    string
		path    string
		body    io.Reader
		netErr  error
		code    int
		wantErr string
	}{
		{"ok", "/v1/publish/jobs", strings.NewReader("hello"), nil, http.StatusAccepted, ""},
		{"exactly the cap", "/v1/publish/jobs", strings.NewReader(strings.Repeat("x", 16)), nil, http.StatusAccepted, ""},
		{"over the cap", "/v1/publish/jobs", strings.NewReader(strings.Repeat("x", 17)), nil, http.StatusRequestEntityTooLarge, "max_body_bytes 16"},
		// A chunked body has no Content-Length; MaxBytesReader catches it.
		{"over the cap, chunked", "/v1/publish/jobs", io.MultiReader(strings.NewReader(strings.Repeat("x", 100))), nil, http.StatusRequestEntityTooLarge, "max_body_bytes 16"},
		{"empty", "/v1/publish/jobs", nil, nil, http.StatusBadRequest, "empty body"},
		{"unknown topic", "/v1/publish/gossip", strings.NewReader("hello"), nil, http.StatusNotFound, `unknown topic "gossip"`},
		{"over the topic cap", "/v1/publish/jobs", strings.NewReader("hello"), api.ErrTooLarge, http.StatusRequestEntityTooLarge, "payload too large"},
		{"network failure", "/v1/publish/jobs", strings.NewReader("hello"), errors.New("gossipsub closed"), http.StatusInternalServerError, "gossipsub closed"},
		{"role", "/v1/publish/scheduling", strings.NewReader("hello"), errors.Join(api.ErrForbidden, errors.New("scheduling is for coordinators")), http.StatusForbidden, "scheduling is for coordinators"},
		{"bad payload", "/v1/publish/heartbeats", strings.NewReader("hello"), errors.Join(api.ErrBadPayload, errors.New("not a heartbeat")), http.StatusUnprocessableEntity, "not a heartbeat"},
		{"busy", "/v1/publish/jobs", strings.NewReader("hello"), errors.Join(api.ErrBusy, errors.New("outbound gossip queues are full")), http.StatusServiceUnavailable, "queues are full"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.net.set(func(n *fakeNet) { n.publishErr = tc.netErr; n.published = nil })
			code, hdr, body := e.do(t, http.MethodPost, tc.path, tc.body)
			if code != tc.code {
				t.Fatalf("%d %s, want %d", code, body, tc.code)
			}
			if ra := hdr.Get("Retry-After"); (code == http.StatusServiceUnavailable) != (ra != "") {
				t.Errorf("%d with Retry-After %q: want it exactly on 503", code, ra)
			}
			got := e.net.publishedMsgs()
			if tc.wantErr != "" {
				if msg := errorOf(t, body); !strings.Contains(msg, tc.wantErr) {
					t.Errorf("error %q, want %q", msg, tc.wantErr)
				}
				if len(got) != 0 {
					t.Errorf("refused publish reached the network: %v", got)
				}
				return
			}
			var r api.PublishResult
			if err := json.Unmarshal(body, &r); err != nil || r.Topic != "jobs" || r.Bytes == 0 {
				t.Errorf("result %s (%v)", body, err)
			}
			if len(got) != 1 || got[0].topic != "jobs" || r.Bytes != len(got[0].payload) {
				t.Errorf("published %v", got)
			}
		})
	}
	e.net.set(func(n *fakeNet) { n.publishErr = nil })

	if code, _, _ := e.do(t, http.MethodGet, "/v1/publish/jobs", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET publish: %d, want 405", code)
	}
	// Through the client: payload bytes arrive unchanged.
	payload := []byte{0, 1, 2, 0xff, '\n'}
	if err := e.c.Publish(context.Background(), "sync", payload); err != nil {
		t.Fatal(err)
	}
	if got := e.net.publishedMsgs(); len(got) != 1 || !bytes.Equal(got[0].payload, payload) {
		t.Errorf("published %v", got)
	}
	err := e.c.Publish(context.Background(), "sync", bytes.Repeat([]byte("y"), 17))
	if se, ok := errors.AsType[*api.StatusError](err); !ok || se.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("client publish over the cap: %v", err)
	}
}

func TestMetrics(t *testing.T) {
	e := start(t, api.Config{})
	e.do(t, http.MethodGet, "/healthz", nil)
	e.do(t, http.MethodGet, "/healthz", nil)
	e.do(t, http.MethodPost, "/v1/publish/nope", strings.NewReader("x"))
	e.do(t, http.MethodGet, "/no/such/route", nil)
	e.do(t, http.MethodGet, "/v1/evidence?peer=x", nil)

	code, _, body := e.do(t, http.MethodGet, "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`validator_api_requests_total{code="200",route="/healthz"} 2`,
		`validator_api_requests_total{code="404",route="/v1/publish/{topic}"} 1`,
		`validator_api_requests_total{code="404",route="unmatched"} 1`,
		`validator_api_requests_total{code="400",route="/v1/evidence"} 1`,
		`validator_api_requests_total{code="202",route="/v1/publish/{topic}"} 0`, // pre-initialised
		`validator_api_sse_clients 0`,
		`validator_api_sse_streams_ended_total{reason="slow_consumer"} 0`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Route labels are the bounded set of patterns, never raw paths.
	if bytes.Contains(body, []byte(`route="/v1/publish/nope"`)) || bytes.Contains(body, []byte(`route="/no/such/route"`)) {
		t.Error("a raw path leaked into a route label")
	}

	mfs, err := e.prom.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	if len(names) < 4 {
		t.Errorf("api metrics registered: %v", names)
	}
}

func TestNewValidates(t *testing.T) {
	full := func() api.Deps {
		reg := prometheus.NewRegistry()
		return api.Deps{Network: newFakeNet(), Registry: &fakeRegistry{}, Evidence: newFakeEvidence(), Gatherer: reg, Registerer: reg}
	}
	tests := []struct {
		name string
		cfg  api.Config
		deps func() api.Deps
		want string
	}{
		{"no network", api.Config{}, func() api.Deps { d := full(); d.Network = nil; return d }, "missing dependencies: Network"},
		{"nothing", api.Config{}, func() api.Deps { return api.Deps{} }, "Network, Registry, Evidence, Gatherer, Registerer"},
		{"negative min peers", api.Config{MinPeers: -1}, full, "min_peers -1"},
		{"bad listen", api.Config{Listen: "localhost"}, full, `listen "localhost"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := api.New(tc.cfg, tc.deps())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("metrics registered twice", func(t *testing.T) {
		d := full()
		if _, err := api.New(api.Config{}, d); err != nil {
			t.Fatal(err)
		}
		if _, err := api.New(api.Config{}, d); err == nil || !strings.Contains(err.Error(), "already registered") {
			t.Fatalf("second API on one registry: %v", err)
		}
	})
}

func TestLifecycle(t *testing.T) {
	reg := prometheus.NewRegistry()
	d := api.Deps{Network: newFakeNet(), Registry: &fakeRegistry{}, Evidence: newFakeEvidence(), Gatherer: reg, Registerer: reg}

	// Close before Start is fine, and Start after Close refuses.
	srv, err := api.New(api.Config{Listen: "127.0.0.1:0"}, d)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Addr() != "" {
		t.Errorf("addr before start: %q", srv.Addr())
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); !errors.Is(err, api.ErrClosed) {
		t.Fatalf("start after close: %v", err)
	}

	// Port 0 gets a real port; a second Start refuses; Close is idempotent and
	// stops serving.
	reg = prometheus.NewRegistry()
	d.Gatherer, d.Registerer = reg, reg
	srv, err = api.New(api.Config{Listen: "127.0.0.1:0"}, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("addr %q", srv.Addr())
	}
	if err := srv.Start(); err == nil {
		t.Error("second start succeeded")
	}
	c := api.NewClient(srv.Addr()) // the listen form, as the CLI passes api.listen
	defer c.Close()
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatalf("status: %v", err)
	}
	for range 2 {
		if err := srv.Close(context.Background()); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
	c.Close()
	if _, err := c.Status(context.Background()); !errors.Is(err, api.ErrUnreachable) {
		t.Fatalf("status after close: %v", err)
	}

	// A taken port is a clear error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	reg = prometheus.NewRegistry()
	d.Gatherer, d.Registerer = reg, reg
	srv, err = api.New(api.Config{Listen: ln.Addr().String()}, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err == nil || !strings.Contains(err.Error(), "api listen on "+ln.Addr().String()) {
		t.Fatalf("start on a taken port: %v", err)
	}
	_ = srv.Close(context.Background())
}
