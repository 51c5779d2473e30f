package evidence_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"

	"validator/evidence"
	"validator/internal/testutil"
	"validator/reputation"
	"validator/store"
)

func newRecorder(t *testing.T, opts ...evidence.Option) (*evidence.Recorder, *store.Store, *prometheus.Registry) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := reputation.DefaultConfig()
	cfg.Interval = time.Second
	tr, err := reputation.NewTracker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	rec, err := evidence.NewRecorder(tr, st, append([]evidence.Option{evidence.WithRegisterer(reg)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return rec, st, reg
}

// While this node is not active, probe results are dropped and counted, not
// recorded; once it is active again they are recorded.
func TestRecorderDropsObservationsWhileNotActive(t *testing.T) {
	var active atomic.Bool
	rec, st, reg := newRecorder(t, evidence.WithActive(active.Load))
	peer, at := common.Address{7}, time.Now().Add(-time.Minute)
	for i := range 5 {
		rec.Observe(reputation.Observation{Peer: peer, At: at.Add(time.Duration(i) * time.Second), Unreachable: true})
	}
	if got := testutil.Metric(t, reg, "validator_liveness_observations_dropped_total", "", ""); got != 5 {
		t.Fatalf("dropped = %v, want 5", got)
	}
	if states := rec.States(); len(states) != 0 {
		t.Fatalf("states while not active = %v, want none", states)
	}
	if trs, err := st.Transitions(peer, time.Time{}, time.Now()); err != nil || len(trs) != 0 {
		t.Fatalf("transitions written while not active = %v (%v)", trs, err)
	}

	active.Store(true)
	rec.Observe(reputation.Observation{Peer: peer, At: at.Add(10 * time.Second), RTT: time.Millisecond})
	if st := rec.States()[peer].State; st != reputation.Responsive {
		t.Fatalf("state once active = %v, want responsive", st)
	}
	if got := testutil.Metric(t, reg, "validator_liveness_transitions_total", "to", "responsive"); got != 1 {
		t.Fatalf("transitions to responsive = %v, want 1", got)
	}
	if got := testutil.Metric(t, reg, "validator_liveness_observations_dropped_total", "", ""); got != 5 {
		t.Fatalf("dropped after becoming active = %v, want still 5", got)
	}
}

// tagger records the tags the recorder sets on its connected peers.
type tagger struct {
	connected []common.Address
	mu        sync.Mutex
	tags      map[common.Address]int
}

func (g *tagger) Connected() []common.Address { return g.connected }

func (g *tagger) Tag(p common.Address, v int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tags[p] = v
}

func (g *tagger) tag(p common.Address) (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.tags[p]
	return v, ok
}

// Connected peers are tagged with their scores: an offline history lowers
// the tag, a peer without evidence gets the full tag, and a peer that is not
// connected is not tagged.
func TestRecorderTagsConnectedPeersWithScores(t *testing.T) {
	t0 := time.Now().Truncate(time.Second)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	rec, _, _ := newRecorder(t, evidence.WithClock(clock))
	down, fresh, away := common.Address{1}, common.Address{2}, common.Address{3}
	rec.Observe(reputation.Observation{Peer: down, At: t0, RTT: time.Millisecond})
	for i := range 3 {
		rec.Observe(reputation.Observation{Peer: down, At: t0.Add(time.Duration(i+1) * time.Second), Miss: true})
	}
	mu.Lock()
	now = t0.Add(30 * time.Second)
	mu.Unlock()
	rec.Flush()
	score := rec.Score(down)
	if score >= 1 {
		t.Fatalf("score of a peer offline most of the time = %v, want < 1", score)
	}

	g := &tagger{connected: []common.Address{down, fresh}, tags: map[common.Address]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rec.Run(ctx, 10*time.Millisecond, g) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := g.tag(fresh); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run tagged no peer")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v, _ := g.tag(down); v != reputation.ScoreToConnManagerTag(score) || v >= reputation.ConnManagerTagMax {
		t.Errorf("tag of the peer with downtime = %d, want %d (< %d)", v, reputation.ScoreToConnManagerTag(score), reputation.ConnManagerTagMax)
	}
	if v, _ := g.tag(fresh); v != reputation.ConnManagerTagMax {
		t.Errorf("tag of a peer without evidence = %d, want %d", v, reputation.ConnManagerTagMax)
	}
	if _, ok := g.tag(away); ok {
		t.Error("a peer that is not connected was tagged")
	}
}
