package chain_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	regabi "validator/abi"
	"validator/chain"
	"validator/internal/tcpproxy"
)

// startView runs a registry view over backend until the test ends and waits for
// its first snapshot.
func startView(t *testing.T, backend chain.Backend, registry common.Address, opts ...chain.RegistryOption) *chain.Registry {
	t.Helper()
	opts = append([]chain.RegistryOption{chain.WithPollInterval(10 * time.Millisecond), chain.WithBackoff(10*time.Millisecond, 50*time.Millisecond)}, opts...)
	r, err := chain.NewRegistry(backend, registry, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := r.WaitSynced(wctx); err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(nodes []chain.Node) []common.Address {
	out := make([]common.Address, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID
	}
	slices.SortFunc(out, func(a, b common.Address) int { return a.Cmp(b) })
	return out
}

func sorted(a ...common.Address) []common.Address {
	out := slices.Clone(a)
	slices.SortFunc(out, func(a, b common.Address) int { return a.Cmp(b) })
	return out
}

// next reads one change or fails after a deadline.
func next(t *testing.T, s *chain.Subscription) chain.Change {
	t.Helper()
	select {
	case c, ok := <-s.Changes():
		if !ok {
			t.Fatalf("subscription ended: %v", s.Err())
		}
		return c
	case <-time.After(20 * time.Second):
		t.Fatal("no change within 20s")
	}
	return chain.Change{}
}

// block returns the block a transaction was mined in, failing the test on error.
func (e *env) block(r chain.Receipt, err error) uint64 {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Block
}

func TestRegistrySnapshotThenFollow(t *testing.T) {
	e := newEnv(t, envConfig{operators: 3})
	ctx := context.Background()
	a, _ := e.register(0, "a", "/ip4/10.0.0.1/tcp/4001", "/ip4/10.0.0.1/udp/4001/quic-v1")
	b, bKey := e.register(1, "b")

	r := startView(t, e.backend, e.registry)
	start, sub := r.Subscribe()
	defer sub.Close()
	if got, want := ids(start), sorted(a, b); !slices.Equal(got, want) {
		t.Fatalf("snapshot = %v, want %v", got, want)
	}
	na, _ := r.Node(a)
	if !slices.Equal(na.Multiaddrs, []string{"/ip4/10.0.0.1/tcp/4001", "/ip4/10.0.0.1/udp/4001/quic-v1"}) || na.Metadata != "name=a" ||
		na.Stake.Cmp(minStake) != 0 || na.Operator != e.operators[0].Address || na.Role != chain.RoleValidator {
		t.Fatalf("node a = %+v", na)
	}
	// The peer ID is the one a libp2p host with the node key has.
	wantPeer, err := chain.PeerIDFromPubKey(chain.PubKeyBytes(&bKey.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if nb, ok := r.NodeByPeer(wantPeer); !ok || nb.ID != b {
		t.Fatalf("NodeByPeer(%s) = %v, %v", wantPeer, nb.ID, ok)
	}

	// Register: Added, at the block of the transaction.
	c, _ := e.register(2, "c")
	ch := next(t, sub)
	if ch.Kind != chain.Added || ch.Node.ID != c || ch.Block == 0 {
		t.Fatalf("change = %v %s @%d, want added %s", ch.Kind, ch.Node.ID, ch.Block, c)
	}

	// Update addresses: Updated with the new addresses.
	opA := e.transactor(e.operators[0])
	blk := e.block(opA.UpdateAddrs(ctx, a, []string{"/ip4/10.0.0.9/tcp/5001"}))
	ch = next(t, sub)
	if ch.Kind != chain.Updated || ch.Node.ID != a || ch.Block != blk || !slices.Equal(ch.Node.Multiaddrs, []string{"/ip4/10.0.0.9/tcp/5001"}) {
		t.Fatalf("change = %+v", ch)
	}
	if n, _ := r.Node(a); !slices.Equal(n.Multiaddrs, []string{"/ip4/10.0.0.9/tcp/5001"}) {
		t.Fatalf("view addrs = %v", n.Multiaddrs)
	}

	// Metadata, stake and role follow too.
	e.block(opA.UpdateMetadata(ctx, a, "name=a2"))
	if ch = next(t, sub); ch.Node.Metadata != "name=a2" {
		t.Fatalf("metadata change = %+v", ch)
	}
	e.block(opA.AddStake(ctx, a, ether(1)))
	if ch = next(t, sub); ch.Node.Stake.Cmp(new(big.Int).Add(minStake, ether(1))) != 0 {
		t.Fatalf("stake change = %v", ch.Node.Stake)
	}
	e.block(e.adminTx.SetRole(ctx, a, chain.RoleCoordinator))
	if ch = next(t, sub); ch.Node.Role != chain.RoleCoordinator {
		t.Fatalf("role change = %v", ch.Node.Role)
	}

	// Exit: Removed, and gone from every lookup.
	blk = e.block(e.transactor(e.operators[1]).RequestExit(ctx, b))
	ch = next(t, sub)
	if ch.Kind != chain.Removed || ch.Node.ID != b || ch.Block != blk || ch.Node.Status != chain.StatusExiting {
		t.Fatalf("change = %v %s @%d status %v, want removed %s @%d", ch.Kind, ch.Node.ID, ch.Block, ch.Node.Status, b, blk)
	}
	if got, want := ids(r.Active()), sorted(a, c); !slices.Equal(got, want) {
		t.Fatalf("active = %v, want %v", got, want)
	}
	if _, ok := r.NodeByPeer(wantPeer); ok {
		t.Fatal("exited node still found by peer ID")
	}
	if r.IsActivePeer(wantPeer) {
		t.Fatal("exited node still an active peer")
	}
	if r.Block() < blk {
		t.Fatalf("processed block %d < exit block %d", r.Block(), blk)
	}
}

func TestRegistryConfirmations(t *testing.T) {
	e := newEnv(t, envConfig{operators: 1})
	for range 3 { // confirm the deployment
		e.emptyBlock()
	}
	r := startView(t, e.backend, e.registry, chain.WithConfirmations(3))
	id, _ := e.register(0, "late")
	regBlock := e.chain.Head()
	for i := 1; i <= 3; i++ {
		// Wait until the view has seen the new head, then check it holds back.
		eventually(t, "view to see head", func() bool { return r.Status().Head == e.chain.Head() })
		eventually(t, "view to process", func() bool { return r.Block() == e.chain.Head()-3 })
		if _, ok := r.Node(id); ok {
			t.Fatalf("node visible with %d confirmations, want 3", e.chain.Head()-regBlock)
		}
		e.emptyBlock()
	}
	eventually(t, "node after 3 confirmations", func() bool { _, ok := r.Node(id); return ok })
}

// gated cuts a view off from its backend while closed, like an outage that
// hides a whole reorg from it.
type gated struct {
	chain.Backend
	closed atomic.Bool
}

var errGated = errors.New("gated")

func (g *gated) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	if g.closed.Load() {
		return nil, errGated
	}
	return g.Backend.HeaderByNumber(ctx, n)
}

// TestRegistryReorg replaces the block that registered a node with a side chain
// where the registration never happened: the view must drop the node. "live":
// the view watches the chain go back to the fork point and grow again;
// "unseen": the view is cut off during the reorg and only finds that the hash of
// its processed block changed.
func TestRegistryReorg(t *testing.T) {
	for _, unseen := range []bool{false, true} {
		name := map[bool]string{false: "live", true: "unseen"}[unseen]
		t.Run(name, func(t *testing.T) { testReorg(t, unseen) })
	}
}

func testReorg(t *testing.T, unseen bool) {
	e := newEnv(t, envConfig{operators: 2, manual: true})
	ctx := context.Background()
	a, _ := e.register(0, "a")
	fork := e.chain.Commit() // an empty block to fork from
	forkNum := e.chain.Head()

	g := &gated{Backend: e.backend}
	reg := prometheus.NewRegistry()
	r := startView(t, g, e.registry, chain.WithRegisterer(reg))
	_, sub := r.Subscribe()
	defer sub.Close()

	op := e.operators[1]
	nonce, err := e.backend.PendingNonceAt(ctx, op.Address)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.register(1, "b")
	if ch := next(t, sub); ch.Kind != chain.Added || ch.Node.ID != b {
		t.Fatalf("change = %+v", ch)
	}
	e.chain.Commit() // the side chain must overtake a chain longer than one block
	eventually(t, "view at head", func() bool { return r.Block() == e.chain.Head() })
	oldHead, oldHash := e.chain.Head(), r.Status().Hash
	g.closed.Store(unseen)

	// Side chain from the fork block: the operator spends the nonce of b's
	// registration on a transfer, so the registration cannot come back.
	if err := e.chain.Fork(fork); err != nil {
		t.Fatal(err)
	}
	tip := big.NewInt(100e9)
	tx := types.MustSignNewTx(key(t, "operator-1"), types.LatestSignerForChainID(big.NewInt(1337)), &types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Nonce: nonce, GasTipCap: tip, GasFeeCap: new(big.Int).Mul(tip, big.NewInt(10)),
		Gas: 21000, To: &common.Address{1}, Value: big.NewInt(1),
	})
	// The pool resets to the side chain asynchronously; until it has, it judges
	// the transfer against the old head's nonce.
	eventually(t, "the pool to accept the transfer", func() bool { return e.backend.SendTransaction(ctx, tx) == nil })
	for e.chain.Head() <= oldHead {
		e.chain.Commit()
	}
	if h, err := e.backend.HeaderByNumber(ctx, big.NewInt(int64(forkNum))); err != nil || h.Hash() != fork {
		t.Fatalf("fork block not canonical: %v", err)
	}
	if h, err := e.backend.HeaderByNumber(ctx, big.NewInt(int64(oldHead))); err != nil || h.Hash() == oldHash {
		t.Fatalf("processed block %d not replaced: %v", oldHead, err)
	}
	if rc, err := e.backend.TransactionReceipt(ctx, tx.Hash()); err != nil || rc.Status != 1 {
		t.Fatalf("transfer on the side chain not mined: %v", err)
	}
	g.closed.Store(false)

	ch := next(t, sub)
	if ch.Kind != chain.Removed || ch.Node.ID != b {
		t.Fatalf("change after reorg = %v %s, want removed %s", ch.Kind, ch.Node.ID, b)
	}
	if got, want := ids(r.Active()), sorted(a); !slices.Equal(got, want) {
		t.Fatalf("active after reorg = %v, want %v (phantom node)", got, want)
	}
	if got := metricValue(t, reg, "validator_chain_snapshots_total", "reorg"); got != 1 {
		t.Fatalf("reorg snapshots = %v, want 1", got)
	}
	if n, err := chain.ReadNode(ctx, e.backend, e.registry, b); !errors.Is(err, chain.ErrUnknownNode) {
		t.Fatalf("chain still knows b after the reorg: %+v %v", n, err)
	}
}

func TestRegistrySurvivesRPCOutage(t *testing.T) {
	e := newEnv(t, envConfig{operators: 2, httpAddr: "127.0.0.1:0"})
	a, _ := e.register(0, "a")
	u := e.chain.URL()
	px := tcpproxy.New(t, u[len("http://"):])
	ctx := context.Background()
	client, err := chain.Dial(ctx, "http://"+px.Addr(), 1337)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	reg := prometheus.NewRegistry()
	r := startView(t, client, e.registry, chain.WithRegisterer(reg))
	_, sub := r.Subscribe()
	defer sub.Close()
	before := r.Block()

	px.Down()
	b, _ := e.register(1, "b") // lands while the view cannot see the chain
	eventually(t, "the view to notice the outage", func() bool { return r.Status().LastError != nil })
	// The last view keeps serving.
	if got := ids(r.Active()); !slices.Equal(got, sorted(a)) {
		t.Fatalf("view during outage = %v", got)
	}
	if r.Block() != before {
		t.Fatalf("processed block moved during outage: %d -> %d", before, r.Block())
	}

	px.Up()
	ch := next(t, sub)
	if ch.Kind != chain.Added || ch.Node.ID != b {
		t.Fatalf("change after outage = %+v", ch)
	}
	eventually(t, "the error to clear", func() bool { return r.Status().LastError == nil })
	if got, want := ids(r.Active()), sorted(a, b); !slices.Equal(got, want) {
		t.Fatalf("view after outage = %v, want %v", got, want)
	}
	// It resumed from its last block by events, without a new snapshot.
	if got := metricValue(t, reg, "validator_chain_snapshots_total", "reorg"); got != 0 {
		t.Fatalf("re-snapshots after outage = %v, want 0", got)
	}
	if metricValue(t, reg, "validator_chain_sync_errors_total", "") == 0 {
		t.Fatal("sync errors not counted")
	}
}

// metricValue reads a counter or gauge by name (and first label value).
func metricValue(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	for _, mf := range mustGather(t, reg) {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || (len(m.GetLabel()) > 0 && m.GetLabel()[0].GetValue() == label) {
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("metric %s{%s} not found", name, label)
	return 0
}

func TestRegistryMetricsLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := chain.NewRegistry(nil, common.Address{1}, chain.WithRegisterer(reg)); err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mustGather(t, reg)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

func mustGather(t *testing.T, reg *prometheus.Registry) []*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) == 0 {
		t.Fatal("no metrics registered")
	}
	return mfs
}

func TestSubscriptionLagged(t *testing.T) {
	e := newEnv(t, envConfig{operators: 2})
	r := startView(t, e.backend, e.registry, chain.WithSubscriptionBuffer(1))
	_, sub := r.Subscribe()
	e.register(0, "a")
	e.register(1, "b")
	eventually(t, "subscription to be cut off", func() bool { return sub.Err() != nil })
	if !errors.Is(sub.Err(), chain.ErrLagged) {
		t.Fatalf("err = %v, want ErrLagged", sub.Err())
	}
	for range sub.Changes() { // drains and ends: the channel is closed
	}
	// A fresh subscription starts from the full view.
	start, sub2 := r.Subscribe()
	defer sub2.Close()
	if len(start) != 2 {
		t.Fatalf("resubscribe view = %d nodes, want 2", len(start))
	}
}

// hostile wraps a backend and forges what a lying RPC endpoint might send.
type hostile struct {
	chain.Backend
	forge func(q ethereum.FilterQuery, logs []types.Log) []types.Log
}

func (h *hostile) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	logs, err := h.Backend.FilterLogs(ctx, q)
	if err != nil {
		return nil, err
	}
	return h.forge(q, logs), nil
}

func TestRegistryRejectsForgedEvents(t *testing.T) {
	e := newEnv(t, envConfig{operators: 2})
	a, _ := e.register(0, "a")
	var (
		mu      sync.Mutex
		forgeIt bool
		bLogs   []types.Log
	)
	h := &hostile{Backend: e.backend, forge: func(q ethereum.FilterQuery, logs []types.Log) []types.Log {
		mu.Lock()
		defer mu.Unlock()
		if !forgeIt || len(bLogs) == 0 {
			return logs
		}
		out := slices.Clone(logs)
		to, err := e.backend.HeaderByNumber(context.Background(), q.ToBlock)
		if err != nil {
			return logs
		}
		for _, l := range bLogs {
			l.BlockNumber, l.BlockHash, l.Index = to.Number.Uint64(), to.Hash(), 1000
			// A registration from another contract: must be ignored.
			other := l
			other.Address = common.Address{0xba, 0xd}
			// A registration whose public key does not hash to the node ID.
			bad := l
			bad.Topics = slices.Clone(l.Topics)
			bad.Topics[1] = common.BytesToHash(crypto.Keccak256([]byte("someone else"))[:20])
			out = append(out, other, bad)
		}
		return out
	}}
	r := startView(t, h, e.registry)
	b, _ := e.register(1, "b")
	eventually(t, "b", func() bool { _, ok := r.Node(b); return ok })
	// Capture b's real log and replay it, tampered, in later ranges.
	logs, err := e.backend.FilterLogs(context.Background(), ethereum.FilterQuery{Addresses: []common.Address{e.registry}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	for _, l := range logs {
		if len(l.Topics) > 1 && common.BytesToAddress(l.Topics[1].Bytes()) == b {
			bLogs = append(bLogs, l)
		}
	}
	forgeIt = true
	mu.Unlock()
	before := len(r.Active())
	blk := e.block(e.transactor(e.operators[0]).UpdateMetadata(context.Background(), a, "x"))
	eventually(t, "view past the forged range", func() bool { return r.Block() >= blk })
	if got := len(r.Active()); got != before {
		t.Fatalf("forged events changed the view: %d -> %d nodes", before, got)
	}
}

// gasCapped refuses getNodes pages above max like a node whose eth_call gas cap
// a page of maximal entries exceeds (geth answers such calls with "out of gas").
type gasCapped struct {
	chain.Backend
	max     uint64
	refused atomic.Int32
}

type outOfGas struct{}

func (outOfGas) Error() string  { return "out of gas" }
func (outOfGas) ErrorCode() int { return -32000 }

func (g *gasCapped) CallContractAtHash(ctx context.Context, call ethereum.CallMsg, h common.Hash) ([]byte, error) {
	m, err := registryABI().MethodById(call.Data)
	if err == nil && m.Name == "getNodes" {
		args, err := m.Inputs.Unpack(call.Data[4:])
		if err == nil && args[1].(*big.Int).Uint64() > g.max {
			g.refused.Add(1)
			return nil, outOfGas{}
		}
	}
	return g.Backend.CallContractAtHash(ctx, call, h)
}

func registryABI() *abi.ABI {
	a, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		panic(err)
	}
	return a
}

// TestSnapshotHalvesRefusedPages: a page the endpoint will not execute is split
// until it fits, and the snapshot still sees every node.
func TestSnapshotHalvesRefusedPages(t *testing.T) {
	const n = 25
	e := newEnv(t, envConfig{operators: n})
	var want []common.Address
	for i := range n {
		id, _ := e.register(i, fmt.Sprintf("n%d", i))
		want = append(want, id)
	}
	g := &gasCapped{Backend: e.backend, max: 7}
	reg := prometheus.NewRegistry()
	r := startView(t, g, e.registry, chain.WithPageSize(n), chain.WithRegisterer(reg))
	if got := ids(r.Active()); !slices.Equal(got, sorted(want...)) {
		t.Fatalf("snapshot = %d nodes, want %d", len(got), len(want))
	}
	if g.refused.Load() == 0 {
		t.Fatal("no page was refused: the test tests nothing")
	}
	if metricValue(t, reg, "validator_chain_sync_errors_total", "") != 0 {
		t.Fatal("halving should not fail the round")
	}
}
