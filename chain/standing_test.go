package chain_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"validator/chain"
	"validator/internal/testutil"
)

// registrationGauge reads validator_node_registration_state{state} from reg.
func registrationGauge(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "validator_node_registration_state" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "state" {
					out[l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	return out
}

// oneHot is the gauge with only state at 1.
func oneHot(state string) map[string]float64 {
	m := map[string]float64{chain.StandingActive: 0, chain.StandingPending: 0, chain.StandingExited: 0, chain.StandingNotRegistered: 0, chain.StandingJailed: 0}
	if state != "" {
		m[state] = 1
	}
	return m
}

func sameGauge(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// A node registered at the head but not yet confirmed is pending; it becomes
// active once the view confirms it, and exited once its exit is confirmed.
// Each change is one log line and moves the one-hot gauge; Active follows the
// view.
func TestStandingFollowsOwnRegistration(t *testing.T) {
	e := newEnv(t, envConfig{operators: 1})
	const confirmations = 2
	for range confirmations { // confirm the deployment
		e.emptyBlock()
	}
	view := startView(t, e.backend, e.registry, chain.WithConfirmations(confirmations))
	id, nk := e.register(0, "standing")
	pid, err := chain.PeerIDFromPubKey(crypto.FromECDSAPub(&nk.PublicKey)[1:])
	if err != nil {
		t.Fatal(err)
	}
	logs := &testutil.LogBuffer{}
	reg := prometheus.NewRegistry()
	s, err := chain.NewStanding(view, id, pid, slog.New(slog.NewTextHandler(logs, nil)), reg)
	if err != nil {
		t.Fatal(err)
	}
	if got := registrationGauge(t, reg); !sameGauge(got, oneHot("")) {
		t.Fatalf("gauge before any state = %v, want every state at 0", got)
	}

	v := s.Classify(context.Background())
	if v.State != chain.StandingPending || !strings.Contains(v.Reason, "not yet confirmed") {
		t.Fatalf("Classify before confirmation = %+v, want pending", v)
	}
	if s.State() != "" || s.Active() {
		t.Fatalf("before Record: State %q, Active %v; want nothing recorded, inactive", s.State(), s.Active())
	}
	s.Record(v)
	if state, reason, since := s.Current(); state != chain.StandingPending || reason != v.Reason || since.IsZero() {
		t.Fatalf("Current = %q %q %v, want the pending verdict", state, reason, since)
	}
	if got := registrationGauge(t, reg); !sameGauge(got, oneHot(chain.StandingPending)) {
		t.Errorf("gauge while pending = %v", got)
	}
	if got := logs.Lines("level=WARN", `msg="this node is not active in the registry yet"`, "reason=pending"); len(got) != 1 {
		t.Errorf("want one pending line, got %d", len(got))
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	for range confirmations {
		e.emptyBlock()
	}
	eventually(t, "active once confirmed", func() bool { return s.State() == chain.StandingActive })
	if !s.Active() {
		t.Error("Active() = false once the view lists the node")
	}
	if got := registrationGauge(t, reg); !sameGauge(got, oneHot(chain.StandingActive)) {
		t.Errorf("gauge while active = %v", got)
	}
	if got := logs.Lines("level=INFO", `msg="this node is now active in the registry"`); len(got) != 1 {
		t.Errorf("want one activation line, got %d", len(got))
	}

	op := e.transactor(e.operators[0])
	if _, err := op.RequestExit(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	for range confirmations {
		e.emptyBlock()
	}
	eventually(t, "exited once the exit is confirmed", func() bool { return s.State() == chain.StandingExited })
	if s.Active() {
		t.Error("Active() = true after the exit")
	}
	if _, reason, _ := s.Current(); !strings.Contains(reason, "exited the registry") {
		t.Errorf("reason = %q, want the exit", reason)
	}
	if got := registrationGauge(t, reg); !sameGauge(got, oneHot(chain.StandingExited)) {
		t.Errorf("gauge after the exit = %v", got)
	}
	if got := logs.Lines("level=ERROR", `msg="this node is no longer in the registry"`, "reason=exited", "node="+strings.ToLower(id.Hex())); len(got) != 1 {
		t.Errorf("want one exit line, got %d", len(got))
	}
	if got := logs.Lines("level="); len(got) != 3 {
		t.Errorf("want 3 log lines (pending, active, exited), got %d:\n%s", len(got), strings.Join(got, ""))
	}
}

// A key the registry does not know is not_registered, and says which registry.
func TestStandingUnknownKey(t *testing.T) {
	e := newEnv(t, envConfig{operators: 1})
	view := startView(t, e.backend, e.registry)
	nk := key(t, "never-registered")
	pid, err := chain.PeerIDFromPubKey(crypto.FromECDSAPub(&nk.PublicKey)[1:])
	if err != nil {
		t.Fatal(err)
	}
	s, err := chain.NewStanding(view, crypto.PubkeyToAddress(nk.PublicKey), pid, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	v := s.Classify(context.Background())
	if v.State != chain.StandingNotRegistered || !strings.Contains(v.Reason, "is not registered in registry "+e.registry.Hex()) {
		t.Fatalf("Classify = %+v, want not_registered naming the registry", v)
	}
	if s.Active() {
		t.Error("Active() = true for an unknown key")
	}
}
