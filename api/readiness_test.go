package api_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"validator/api"
)

type fakeStanding struct {
	mu sync.Mutex
	st api.NodeStanding
}

func (f *fakeStanding) Standing() api.NodeStanding {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeStanding) set(st api.NodeStanding) {
	f.mu.Lock()
	f.st = st
	f.mu.Unlock()
}

// /readyz fails while this node is not active in the registry, with the
// reason the node gives, and while the registry sync has not succeeded for
// longer than StallAfter; /v1/status reports the registration.
func TestReadyzStandingAndStalledSync(t *testing.T) {
	reg, standing := &fakeRegistry{}, &fakeStanding{st: api.NodeStanding{State: "active"}}
	network, prom := newFakeNet(), prometheus.NewRegistry()
	srv, err := api.New(api.Config{Listen: "127.0.0.1:0", StallAfter: time.Minute}, api.Deps{
		Network: network, Registry: reg, Evidence: newFakeEvidence(), Standing: standing, Gatherer: prom, Registerer: prom,
	})
	if err != nil {
		t.Fatal(err)
	}
	reg.set(api.RegistryStatus{Synced: true, Block: 7, LastSuccess: time.Now()})
	if r := srv.Readiness(); !r.Ready || r.Registration != "active" || r.RegistryStalled {
		t.Fatalf("active, fresh sync: %+v", r)
	}

	const reason = "this node exited the registry (block 9; stake withdrawable from 2030-01-01T00:00:00Z)"
	standing.set(api.NodeStanding{State: "exited", Reason: reason, Since: time.Now()})
	r := srv.Readiness()
	if r.Ready || r.Registration != "exited" || len(r.Failing) != 1 || r.Failing[0] != reason {
		t.Fatalf("exited: %+v", r)
	}

	standing.set(api.NodeStanding{State: "active"})
	reg.set(api.RegistryStatus{Synced: true, Block: 7, LastSuccess: time.Now().Add(-2 * time.Minute), LastError: "head: connection refused"})
	r = srv.Readiness()
	if r.Ready || !r.RegistryStalled || len(r.Failing) != 1 ||
		!strings.Contains(r.Failing[0], "registry sync stalled") || !strings.Contains(r.Failing[0], "connection refused") {
		t.Fatalf("stalled: %+v", r)
	}

	// An idle chain (no new blocks) with a sync that keeps succeeding is fine.
	reg.set(api.RegistryStatus{Synced: true, Block: 7, Head: 7, LastSuccess: time.Now()})
	if r := srv.Readiness(); !r.Ready {
		t.Fatalf("recovered: %+v", r)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close(t.Context())
	standing.set(api.NodeStanding{State: "not_registered", Reason: "this node is not registered"})
	resp, err := http.Get(srv.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz not registered: %d", resp.StatusCode)
	}
	c := api.NewClient(srv.URL())
	defer c.Close()
	st, err := c.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Registration == nil || st.Registration.State != "not_registered" {
		t.Fatalf("/v1/status registration = %+v", st.Registration)
	}
}
