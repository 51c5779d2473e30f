package evidence_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	"validator/evidence"
	"validator/internal/testutil"
	"validator/reputation"
	"validator/store"
)

// memNet is an in-memory Transport between validators, addressed by node ID
// like the node layer's p2p adapter: only joined nodes answer and are asked.
type memNet struct {
	mu       sync.Mutex
	handlers map[common.Address]evidence.Handler
	specs    map[common.Address]evidence.Spec
}

func newMemNet() *memNet {
	return &memNet{handlers: map[common.Address]evidence.Handler{}, specs: map[common.Address]evidence.Spec{}}
}

// port is one node's view of the network.
type port struct {
	n    *memNet
	self common.Address
}

func (p port) Handle(s evidence.Spec, h evidence.Handler) {
	p.n.mu.Lock()
	defer p.n.mu.Unlock()
	p.n.handlers[p.self], p.n.specs[p.self] = h, s
}

func (p port) Request(ctx context.Context, s evidence.Spec, to common.Address, req []byte) ([]byte, error) {
	p.n.mu.Lock()
	h, ok := p.n.handlers[to]
	p.n.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s is not an active member", to)
	}
	if len(req) > s.MaxRequest {
		return nil, fmt.Errorf("request of %d bytes exceeds %d", len(req), s.MaxRequest)
	}
	return h(ctx, p.self, req)
}

type validator struct {
	key *ecdsa.PrivateKey
	id  common.Address
	rec *evidence.Recorder
	st  *store.Store
	ex  *evidence.Exchange
	reg *prometheus.Registry
}

func newValidator(t *testing.T, n *memNet) *validator {
	t.Helper()
	v := &validator{reg: prometheus.NewRegistry()}
	v.key, _ = crypto.GenerateKey()
	v.id = crypto.PubkeyToAddress(v.key.PublicKey)
	var err error
	if v.st, err = store.Open(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.st.Close() })
	tr, err := reputation.NewTracker(reputation.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if v.rec, err = evidence.NewRecorder(tr, v.st, evidence.WithRegisterer(v.reg)); err != nil {
		t.Fatal(err)
	}
	v.ex = evidence.NewExchange(v.rec, port{n, v.id}, "testnet", v.key)
	return v
}

func TestExchangeQueriesSignedEvidence(t *testing.T) {
	n := newMemNet()
	watcher, asker := newValidator(t, n), newValidator(t, n)
	watcher.ex.Serve()
	if got := n.specs[watcher.id]; got != evidence.QuerySpec || got.Name != "evidence" {
		t.Fatalf("served spec = %+v, want the evidence query protocol", got)
	}
	target := common.Address{7}
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	watcher.rec.Observe(reputation.Observation{Peer: target, At: at, RTT: time.Millisecond})
	for i := range 3 {
		watcher.rec.Observe(reputation.Observation{Peer: target, At: at.Add(time.Duration(i+1) * time.Second), Miss: true})
	}

	ctx := context.Background()
	rep, err := asker.ex.Query(ctx, watcher.id, evidence.Query{Peer: target, From: at.Add(-time.Hour), To: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Observer != watcher.id || rep.Peer != target || rep.Network != "testnet" || rep.State != "offline" || len(rep.Transitions) != 2 {
		t.Fatalf("report = observer %s peer %s network %q state %q transitions %+v", rep.Observer, rep.Peer, rep.Network, rep.State, rep.Transitions)
	}
	if got := testutil.Metric(t, watcher.reg, "validator_evidence_exports_total", "requester", "peer"); got != 1 {
		t.Fatalf("exports to peers = %v, want 1", got)
	}

	// The local export is the same report, signed by the watcher.
	s, err := watcher.ex.Export(target, at.Add(-time.Hour), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if local, err := evidence.Verify(s); err != nil || local.Observer != watcher.id || len(local.Transitions) != 2 {
		t.Fatalf("local export: %+v %v", local, err)
	}

	// A node that does not serve (not a member) and a malformed query fail.
	if _, err := watcher.ex.Query(ctx, asker.id, evidence.Query{Peer: target}); err == nil || !strings.Contains(err.Error(), "not an active member") {
		t.Fatalf("query to a node that does not serve: %v", err)
	}
	if _, err := asker.ex.Query(ctx, watcher.id, evidence.Query{Peer: target, From: time.Now(), To: at}); err == nil {
		t.Fatal("a reversed range was answered")
	}
}

// An answer signed by someone else, or about another peer, is refused.
func TestExchangeRefusesWrongAnswers(t *testing.T) {
	n := newMemNet()
	asker, liar, other := newValidator(t, n), newValidator(t, n), newValidator(t, n)
	target := common.Address{7}
	for name, answer := range map[string]func(q evidence.Query) (evidence.Report, *ecdsa.PrivateKey){
		"another observer": func(q evidence.Query) (evidence.Report, *ecdsa.PrivateKey) {
			return evidence.Report{Version: 1, Observer: other.id, Peer: q.Peer}, other.key
		},
		"another peer": func(q evidence.Query) (evidence.Report, *ecdsa.PrivateKey) {
			return evidence.Report{Version: 1, Observer: liar.id, Peer: common.Address{8}}, liar.key
		},
	} {
		port{n, liar.id}.Handle(evidence.QuerySpec, func(_ context.Context, _ common.Address, req []byte) ([]byte, error) {
			q, err := evidence.DecodeQuery(req)
			if err != nil {
				return nil, err
			}
			rep, key := answer(q)
			s, err := evidence.Sign(rep, key)
			if err != nil {
				return nil, err
			}
			return json.Marshal(s)
		})
		_, err := asker.ex.Query(context.Background(), liar.id, evidence.Query{Peer: target, From: time.Now().Add(-time.Hour), To: time.Now()})
		if err == nil || !strings.Contains(err.Error(), "answer is about") {
			t.Errorf("%s: %v, want a refused answer", name, err)
		}
	}
}
