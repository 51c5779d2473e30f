package accountability_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/prometheus/client_golang/prometheus"

	"validator/accountability"
	"validator/chain"
	"validator/chain/devchain"
)

var (
	minStake = new(big.Int).Mul(big.NewInt(32), big.NewInt(params.Ether))
	params_  = chain.Accountability{
		ReportWindow:     60 * time.Second,
		OfflineThreshold: 20 * time.Second,
		ReportDeadline:   10 * time.Minute,
		JailPeriod:       time.Hour,
		SlashBps:         100,
		CommitteeSize:    64,
	}
)

func key(t testing.TB, seed string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// net is a dev chain with a registry of n nodes and, per node, an
// accountability service whose gossip reaches the others at once, whose
// evidence is a table the test sets, and whose reporter is the real registry.
type net struct {
	t        *testing.T
	chain    *devchain.Chain
	backend  chain.Backend
	registry common.Address
	domain   accountability.Domain
	keys     []*ecdsa.PrivateKey
	ids      []common.Address
	ops      []*chain.Transactor
	stores   []*memStore
	reporter []*countingReporter

	mu      sync.Mutex
	now     time.Time
	offline map[[2]common.Address]time.Duration // observer, peer
	svcs    []*accountability.Service
	view    []accountability.Member
}

func newNet(t *testing.T, n int) *net {
	t.Helper()
	admin := chain.NewKeySigner(key(t, "admin"))
	alloc := map[common.Address]*big.Int{admin.Address: new(big.Int).Mul(big.NewInt(1e6), big.NewInt(params.Ether))}
	var opSigners []*chain.Signer
	for i := range n {
		s := chain.NewKeySigner(key(t, fmt.Sprintf("operator-%d", i)))
		opSigners = append(opSigners, s)
		alloc[s.Address] = new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
	}
	c, err := devchain.New(devchain.Config{Alloc: alloc, Automine: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := t.Context()
	nt := &net{t: t, chain: c, backend: c.Client(), offline: map[[2]common.Address]time.Duration{}}
	poll := chain.WithReceiptPoll(5 * time.Millisecond)
	nt.registry, _, err = chain.Deploy(ctx, nt.backend, admin, chain.DeployParams{MinStake: minStake, UnbondingPeriod: time.Hour, Accountability: params_}, poll)
	if err != nil {
		t.Fatal(err)
	}
	p, err := chain.ReadParams(ctx, nt.backend, nt.registry)
	if err != nil {
		t.Fatal(err)
	}
	nt.domain = accountability.Domain{ChainID: big.NewInt(devchain.ChainID), Registry: nt.registry, Params: p.Accountability}
	for i := range n {
		tx, err := chain.NewTransactor(ctx, nt.backend, nt.registry, opSigners[i], poll)
		if err != nil {
			t.Fatal(err)
		}
		k := key(t, fmt.Sprintf("node-%d", i))
		id, _, err := tx.Register(ctx, k, []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
		if err != nil {
			t.Fatal(err)
		}
		nt.keys, nt.ids, nt.ops = append(nt.keys, k), append(nt.ids, id), append(nt.ops, tx)
	}
	nt.syncView()
	return nt
}

// syncView reads the active set from the registry.
func (nt *net) syncView() {
	nt.t.Helper()
	var view []accountability.Member
	for _, id := range nt.ids {
		n, err := chain.ReadNode(nt.t.Context(), nt.backend, nt.registry, id)
		if err != nil {
			nt.t.Fatal(err)
		}
		if n.Status == chain.StatusActive {
			view = append(view, accountability.Member{ID: id, ActiveSince: n.ActiveSince})
		}
	}
	nt.mu.Lock()
	nt.view = view
	nt.mu.Unlock()
}

func (nt *net) Active() []accountability.Member {
	nt.mu.Lock()
	defer nt.mu.Unlock()
	return slices.Clone(nt.view)
}

// evidenceOf is observer i's evidence.
type evidenceOf struct {
	nt *net
	i  int
}

func (e evidenceOf) Offline(peer common.Address, from, to time.Time) (time.Duration, error) {
	e.nt.mu.Lock()
	defer e.nt.mu.Unlock()
	return e.nt.offline[[2]common.Address{e.nt.ids[e.i], peer}], nil
}

// sees makes observers report peer offline d in every window.
func (nt *net) sees(peer int, d time.Duration, observers ...int) {
	nt.mu.Lock()
	defer nt.mu.Unlock()
	for _, o := range observers {
		nt.offline[[2]common.Address{nt.ids[o], nt.ids[peer]}] = d
	}
}

func (nt *net) clock() time.Time {
	nt.mu.Lock()
	defer nt.mu.Unlock()
	return nt.now
}

// moveTo sets the services' clock and the chain's head time to at.
func (nt *net) moveTo(at time.Time) {
	nt.t.Helper()
	h, err := nt.backend.HeaderByNumber(nt.t.Context(), nil)
	if err != nil {
		nt.t.Fatal(err)
	}
	if d := at.Sub(time.Unix(int64(h.Time), 0)); d > 0 {
		deadline := time.Now().Add(10 * time.Second)
		for nt.chain.AdjustTime(d) != nil {
			if time.Now().After(deadline) {
				nt.t.Fatal("could not move the chain's time")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	nt.mu.Lock()
	nt.now = at
	nt.mu.Unlock()
}

// start runs a service per node (submit for those in submitters) until the
// test ends.
func (nt *net) start(submitters ...int) {
	nt.t.Helper()
	for i := range nt.ids {
		if len(nt.stores) <= i {
			nt.stores = append(nt.stores, newMemStore())
			nt.reporter = append(nt.reporter, &countingReporter{r: &accountability.ChainReporter{Tx: nt.ops[i], Backend: nt.backend}})
		}
		nt.startOne(i, slices.Contains(submitters, i))
	}
}

func (nt *net) startOne(i int, submit bool) context.CancelFunc {
	nt.t.Helper()
	svc, err := accountability.New(accountability.Config{
		Domain: nt.domain, Key: nt.keys[i], Submit: submit, Backoff: 3 * time.Second, Settle: time.Second,
		Tick: 20 * time.Millisecond, Registerer: prometheus.NewRegistry(), Now: nt.clock,
	}, nt, evidenceOf{nt, i}, nt.stores[i], nt.reporter[i], func(_ context.Context, b []byte) error {
		nt.gossip(i, b)
		return nil
	})
	if err != nil {
		nt.t.Fatal(err)
	}
	nt.mu.Lock()
	for len(nt.svcs) <= i {
		nt.svcs = append(nt.svcs, nil)
	}
	nt.svcs[i] = svc
	nt.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = svc.Run(ctx)
	}()
	stop := func() {
		cancel()
		<-done
	}
	nt.t.Cleanup(stop)
	return stop
}

// gossip delivers node from's payload to every other running service, checked
// as the topic validator checks it.
func (nt *net) gossip(from int, b []byte) {
	a, err := accountability.Decode(nt.ids[from], b)
	if err != nil {
		nt.t.Errorf("own attestation does not decode: %v", err)
		return
	}
	if err := nt.domain.Check(a, nt.clock()); err != nil {
		nt.t.Errorf("own attestation does not check: %v", err)
		return
	}
	nt.mu.Lock()
	svcs := slices.Clone(nt.svcs)
	nt.mu.Unlock()
	for j, s := range svcs {
		if j != from && s != nil {
			s.Receive(a)
		}
	}
}

func (nt *net) status(i int) chain.Status {
	nt.t.Helper()
	n, err := chain.ReadNode(nt.t.Context(), nt.backend, nt.registry, nt.ids[i])
	if err != nil {
		nt.t.Fatal(err)
	}
	return n.Status
}

func (nt *net) sent() int {
	total := 0
	for _, r := range nt.reporter {
		total += r.count()
	}
	return total
}

// window is the first window that begins after every registration.
func (nt *net) window() uint64 {
	nt.t.Helper()
	h, err := nt.backend.HeaderByNumber(nt.t.Context(), nil)
	if err != nil {
		nt.t.Fatal(err)
	}
	return nt.domain.Window(time.Unix(int64(h.Time), 0)) + 1
}

func eventually(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOfflineNodeJailedByOneReport(t *testing.T) {
	nt := newNet(t, 5)
	w := nt.window()
	nt.sees(0, 45*time.Second, 1, 2, 3, 4)
	nt.moveTo(nt.domain.Start(w).Add(10 * time.Second))
	nt.start(1, 2, 3, 4)
	nt.moveTo(nt.domain.End(w).Add(2 * time.Second))
	eventually(t, "node 0 jailed", 20*time.Second, func() bool { return nt.status(0) == chain.StatusJailed })
	// The other attesters' turns come after the first one's back-off.
	nt.moveTo(nt.clock().Add(15 * time.Second))
	time.Sleep(500 * time.Millisecond)
	if n := nt.sent(); n != 1 {
		t.Errorf("%d report transactions sent, want exactly 1", n)
	}
	for i := 1; i < 5; i++ {
		if s := nt.status(i); s != chain.StatusActive {
			t.Errorf("node %d is %s, want active", i, s)
		}
	}
}

func TestBelowThresholdNotReported(t *testing.T) {
	nt := newNet(t, 5)
	w := nt.window()
	nt.sees(0, 19*time.Second, 1, 2, 3, 4) // threshold 20 s
	nt.moveTo(nt.domain.Start(w))
	nt.start(1, 2, 3, 4)
	nt.moveTo(nt.domain.End(w).Add(2 * time.Second))
	time.Sleep(time.Second)
	nt.moveTo(nt.clock().Add(30 * time.Second))
	time.Sleep(500 * time.Millisecond)
	if n := nt.sent(); n != 0 {
		t.Errorf("%d reports sent about a node offline below the threshold", n)
	}
	for i, st := range nt.stores {
		if n := st.count(); n != 0 {
			t.Errorf("node %d keeps %d attestations, want none", i, n)
		}
	}
	if s := nt.status(0); s != chain.StatusActive {
		t.Errorf("node 0 is %s", s)
	}
}

func TestColludingMinorityCannotJail(t *testing.T) {
	nt := newNet(t, 5)
	w := nt.window()
	// Nodes 1 and 2 lie about node 0; 3 and 4 saw it online. 3 are needed.
	nt.sees(0, 60*time.Second, 1, 2)
	nt.moveTo(nt.domain.Start(w))
	nt.start(1, 2, 3, 4)
	nt.moveTo(nt.domain.End(w).Add(2 * time.Second))
	eventually(t, "the two false attestations to spread", 10*time.Second, func() bool { return nt.stores[3].count() == 2 })
	nt.moveTo(nt.clock().Add(30 * time.Second))
	time.Sleep(500 * time.Millisecond)
	if n := nt.sent(); n != 0 {
		t.Errorf("%d reports sent by a minority", n)
	}
	if s := nt.status(0); s != chain.StatusActive {
		t.Errorf("node 0 is %s", s)
	}
	// Even sent directly, the registry refuses two attestations.
	atts, err := nt.stores[3].Attestations(nt.ids[0], w)
	if err != nil {
		t.Fatal(err)
	}
	_, err = nt.reporter[1].r.Report(t.Context(), nt.ids[0], w, atts)
	if !chain.IsRevert(err, "QuorumNotReached") {
		t.Errorf("minority report = %v, want QuorumNotReached", err)
	}
}

func TestRestartedSubmitterSendsNoSecondReport(t *testing.T) {
	nt := newNet(t, 5)
	w := nt.window()
	nt.sees(0, 45*time.Second, 1, 2, 3, 4)
	nt.moveTo(nt.domain.Start(w))
	// Only one node submits, and its report fails to arrive: the registry
	// never sees it (the reporter records "sending", then the node dies).
	for i := range nt.ids {
		nt.stores = append(nt.stores, newMemStore())
		nt.reporter = append(nt.reporter, &countingReporter{r: &accountability.ChainReporter{Tx: nt.ops[i], Backend: nt.backend}})
	}
	dying := nt.reporter[1]
	crash := make(chan struct{})
	dying.block = crash
	var stops []context.CancelFunc
	for i := range nt.ids {
		stops = append(stops, nt.startOne(i, i == 1))
	}
	nt.moveTo(nt.domain.End(w).Add(2 * time.Second))
	// Node 1's turn comes after rank × back-off: let time pass.
	eventually(t, "node 1 recording its report", 20*time.Second, func() bool {
		s, ok, _ := nt.stores[1].Submission(nt.ids[0], w)
		if !ok {
			nt.moveTo(nt.clock().Add(time.Second))
		}
		return ok && s.State == accountability.SubmissionSending
	})
	stops[1]() // crash before the transaction leaves
	close(crash)
	// The crashed attempt may have overwritten "sending" with "failed" on its
	// way out; a real crash leaves "sending". Put it back.
	if err := nt.stores[1].PutSubmission(accountability.Submission{Node: nt.ids[0], Window: w, State: accountability.SubmissionSending, At: nt.clock()}); err != nil {
		t.Fatal(err)
	}
	nt.startOne(1, true)
	nt.moveTo(nt.clock().Add(30 * time.Second))
	time.Sleep(time.Second)
	if n := dying.count(); n != 0 {
		t.Errorf("restarted node sent %d reports, want none after its recorded attempt", n)
	}
	if s := nt.status(0); s != chain.StatusActive {
		t.Errorf("node 0 is %s: a report went out", s)
	}
}

// countingReporter counts the reports it sends. With block set, its first
// Report waits for block to close and then fails without sending (a crash
// mid-send); later ones send.
type countingReporter struct {
	r     accountability.Reporter
	block chan struct{}
	mu    sync.Mutex
	n     int
}

func (c *countingReporter) Reported(ctx context.Context, node common.Address, window uint64) (bool, error) {
	return c.r.Reported(ctx, node, window)
}

func (c *countingReporter) Report(ctx context.Context, node common.Address, window uint64, atts []accountability.Attestation) (common.Hash, error) {
	c.mu.Lock()
	block := c.block
	c.block = nil
	c.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return common.Hash{}, fmt.Errorf("crashed before sending")
	}
	h, err := c.r.Report(ctx, node, window, atts)
	if err == nil {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
	return h, err
}

func (c *countingReporter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// memStore keeps attestations and submissions in memory.
type memStore struct {
	mu   sync.Mutex
	atts map[[2]any]map[common.Address]accountability.Attestation
	subs map[[2]any]accountability.Submission
}

func newMemStore() *memStore {
	return &memStore{atts: map[[2]any]map[common.Address]accountability.Attestation{}, subs: map[[2]any]accountability.Submission{}}
}

func (m *memStore) PutAttestation(a accountability.Attestation, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]any{a.Node, a.Window}
	if m.atts[k] == nil {
		m.atts[k] = map[common.Address]accountability.Attestation{}
	}
	if _, ok := m.atts[k][a.Attester]; ok {
		return false, nil
	}
	m.atts[k][a.Attester] = a
	return true, nil
}

func (m *memStore) Attestations(node common.Address, window uint64) ([]accountability.Attestation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []accountability.Attestation
	for _, a := range m.atts[[2]any{node, window}] {
		out = append(out, a)
	}
	return out, nil
}

func (m *memStore) Windows(from uint64) ([]accountability.NodeWindow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []accountability.NodeWindow
	for k, as := range m.atts {
		if w := k[1].(uint64); w >= from {
			out = append(out, accountability.NodeWindow{Node: k[0].(common.Address), Window: w, Count: len(as)})
		}
	}
	return out, nil
}

func (m *memStore) Prune(before uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.atts {
		if k[1].(uint64) < before {
			delete(m.atts, k)
		}
	}
	return nil
}

func (m *memStore) Submission(node common.Address, window uint64) (accountability.Submission, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.subs[[2]any{node, window}]
	return s, ok, nil
}

func (m *memStore) PutSubmission(s accountability.Submission) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.subs[[2]any{s.Node, s.Window}] = s
	return nil
}

func (m *memStore) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, as := range m.atts {
		n += len(as)
	}
	return n
}
