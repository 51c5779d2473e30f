//go:build unix

package main_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestHealthcheck: validator healthcheck exits 0 only when /readyz says
// ready; a node that is not ready or does not answer exits 1 and says why.
// The API is a stand-in serving /readyz as api.Server does (200, or 503 with
// the same JSON); scripts/test-packaging.sh runs it against real nodes in the
// image.
func TestHealthcheck(t *testing.T) {
	e2eBinary(t)
	ready := make(chan bool, 1)
	ready <- false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		ok := <-ready
		ready <- ok
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"ready":false,"registry_synced":true,"peers":0,"min_peers":3,"failing":["0 connected registered peers, need 3"]}`))
			return
		}
		_, _ = w.Write([]byte(`{"ready":true,"registry_synced":true,"peers":4,"min_peers":3}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	r := e2eRun(t, 30*time.Second, nil, "healthcheck", "--api", addr)
	if r.code != 1 || !strings.Contains(r.stderr, "not ready: 0 connected registered peers, need 3") {
		t.Errorf("healthcheck of a node that is not ready: want exit 1 naming what fails:\n%s", r)
	}

	<-ready
	ready <- true
	r = e2eRun(t, 30*time.Second, nil, "healthcheck", "--api", addr)
	if r.code != 0 || !strings.Contains(r.stdout, "ready") {
		t.Errorf("healthcheck of a ready node: want exit 0:\n%s", r)
	}
	// VALIDATOR_API_LISTEN (the image sets it for start and the HEALTHCHECK
	// alike) is the default address; an unspecified host means this machine.
	_, port, _ := net.SplitHostPort(addr)
	r = e2eRun(t, 30*time.Second, []string{"VALIDATOR_API_LISTEN=0.0.0.0:" + port}, "healthcheck")
	if r.code != 0 {
		t.Errorf("healthcheck with VALIDATOR_API_LISTEN=0.0.0.0:%s: want exit 0:\n%s", port, r)
	}

	srv.Close()
	r = e2eRun(t, 30*time.Second, nil, "healthcheck", "--api", addr, "--timeout", "2s")
	if r.code != 1 || !strings.Contains(r.stderr, "check readiness") {
		t.Errorf("healthcheck of a node that does not answer: want exit 1:\n%s", r)
	}

	r = e2eMustRun(t, 30*time.Second, nil, "healthcheck", "--help")
	for _, want := range []string{"--api", "--timeout", "VALIDATOR_API_LISTEN", "Example"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("healthcheck --help lacks %q:\n%s", want, r.stdout)
		}
	}
}
