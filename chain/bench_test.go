package chain_test

// Benchmarks of the registry snapshot (issue 2); figures and the command that
// reproduces them are in docs/benchmarks.md.

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"

	regabi "validator/abi"
	"validator/chain"
	"validator/chain/devchain"
	"validator/internal/leaktest"
)

// countingBackend counts the calls made through it, by method. It holds the
// backend in a field instead of embedding it, so that every Backend method has
// to be written out here: a method added to Backend fails to compile rather
// than going uncounted. It does not implement SubscribeNewHead, so a Registry
// on it polls for heads, as over plain HTTP.
type countingBackend struct {
	b     chain.Backend
	mu    sync.Mutex
	calls map[string]int
}

var _ chain.Backend = (*countingBackend)(nil)

func newCountingBackend(b chain.Backend) *countingBackend {
	return &countingBackend{b: b, calls: map[string]int{}}
}

func (c *countingBackend) count(method string) {
	c.mu.Lock()
	c.calls[method]++
	c.mu.Unlock()
}

// Calls returns the calls made so far, by method, and their total.
func (c *countingBackend) Calls() (map[string]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for _, n := range c.calls {
		total += n
	}
	return maps.Clone(c.calls), total
}

func (c *countingBackend) CodeAt(ctx context.Context, a common.Address, n *big.Int) ([]byte, error) {
	c.count("CodeAt")
	return c.b.CodeAt(ctx, a, n)
}

func (c *countingBackend) CallContract(ctx context.Context, m ethereum.CallMsg, n *big.Int) ([]byte, error) {
	c.count("CallContract")
	return c.b.CallContract(ctx, m, n)
}

func (c *countingBackend) CodeAtHash(ctx context.Context, a common.Address, h common.Hash) ([]byte, error) {
	c.count("CodeAtHash")
	return c.b.CodeAtHash(ctx, a, h)
}

func (c *countingBackend) CallContractAtHash(ctx context.Context, m ethereum.CallMsg, h common.Hash) ([]byte, error) {
	c.count("CallContractAtHash")
	return c.b.CallContractAtHash(ctx, m, h)
}

func (c *countingBackend) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	c.count("HeaderByNumber")
	return c.b.HeaderByNumber(ctx, n)
}

func (c *countingBackend) PendingCodeAt(ctx context.Context, a common.Address) ([]byte, error) {
	c.count("PendingCodeAt")
	return c.b.PendingCodeAt(ctx, a)
}

func (c *countingBackend) PendingNonceAt(ctx context.Context, a common.Address) (uint64, error) {
	c.count("PendingNonceAt")
	return c.b.PendingNonceAt(ctx, a)
}

func (c *countingBackend) SuggestGasPrice(ctx context.Context) (*big.Int, error) {
	c.count("SuggestGasPrice")
	return c.b.SuggestGasPrice(ctx)
}

func (c *countingBackend) SuggestGasTipCap(ctx context.Context) (*big.Int, error) {
	c.count("SuggestGasTipCap")
	return c.b.SuggestGasTipCap(ctx)
}

func (c *countingBackend) EstimateGas(ctx context.Context, m ethereum.CallMsg) (uint64, error) {
	c.count("EstimateGas")
	return c.b.EstimateGas(ctx, m)
}

func (c *countingBackend) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	c.count("SendTransaction")
	return c.b.SendTransaction(ctx, tx)
}

func (c *countingBackend) TransactionByHash(ctx context.Context, h common.Hash) (*types.Transaction, bool, error) {
	c.count("TransactionByHash")
	return c.b.TransactionByHash(ctx, h)
}

func (c *countingBackend) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	c.count("FilterLogs")
	return c.b.FilterLogs(ctx, q)
}

func (c *countingBackend) SubscribeFilterLogs(ctx context.Context, q ethereum.FilterQuery, ch chan<- types.Log) (ethereum.Subscription, error) {
	c.count("SubscribeFilterLogs")
	return c.b.SubscribeFilterLogs(ctx, q, ch)
}

func (c *countingBackend) ChainID(ctx context.Context) (*big.Int, error) {
	c.count("ChainID")
	return c.b.ChainID(ctx)
}

func (c *countingBackend) TransactionReceipt(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	c.count("TransactionReceipt")
	return c.b.TransactionReceipt(ctx, h)
}

func (c *countingBackend) BalanceAt(ctx context.Context, a common.Address, n *big.Int) (*big.Int, error) {
	c.count("BalanceAt")
	return c.b.BalanceAt(ctx, a, n)
}

// snapshotResult is what one snapshot cost and found.
type snapshotResult struct {
	nodes  int
	calls  int
	byKind map[string]int
}

// takeSnapshot takes one snapshot of the registry: a new Registry on a counting
// backend, run until WaitSynced, then stopped. Calls are counted once Run has
// returned, so they cover everything the view did in its lifetime. The poll
// interval is long so that no round after the snapshot starts before Run ends.
func takeSnapshot(ctx context.Context, b chain.Backend, registry common.Address, page uint64, fetchers ...int) (snapshotResult, error) {
	f := 4
	if len(fetchers) > 0 {
		f = fetchers[0]
	}
	cb := newCountingBackend(b)
	r, err := chain.NewRegistry(cb, registry,
		chain.WithPageSize(page),
		chain.WithPageFetchers(f),
		chain.WithPollInterval(time.Hour),
		chain.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return snapshotResult{}, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	waitCtx, cancelWait := context.WithTimeout(ctx, time.Minute)
	err = r.WaitSynced(waitCtx)
	cancelWait()
	cancel()
	if runErr := <-done; err == nil {
		err = runErr
	}
	if err != nil {
		return snapshotResult{}, err
	}
	byKind, calls := cb.Calls()
	return snapshotResult{nodes: r.Status().Nodes, calls: calls, byKind: byKind}, nil
}

// wantCalls is the snapshot's budget: the head, nodeCount, and one getNodes per page.
func wantCalls(nodes int, page uint64) int {
	return int((uint64(nodes)+page-1)/page) + 2
}

// TestSnapshotCallCount checks that a snapshot costs exactly one head lookup,
// then one nodeCount and ceil(N/page) getNodes calls, each pinned to a block
// hash, and nothing else.
func TestSnapshotCallCount(t *testing.T) {
	const nodes, page = 25, 10
	f, err := newBulkRegistry(bulkConfig{nodes: nodes, operators: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.chain.Close() })
	res, err := takeSnapshot(context.Background(), f.client, f.registry, page)
	if err != nil {
		t.Fatal(err)
	}
	if res.nodes != nodes {
		t.Errorf("snapshot found %d nodes, want %d", res.nodes, nodes)
	}
	want := map[string]int{"HeaderByNumber": 1, "CallContractAtHash": 1 + (nodes+page-1)/page}
	if !maps.Equal(res.byKind, want) {
		t.Errorf("snapshot calls = %v, want %v", res.byKind, want)
	}
	if res.calls != wantCalls(nodes, page) {
		t.Errorf("snapshot made %d RPC calls, want ceil(%d/%d)+2 = %d", res.calls, nodes, page, wantCalls(nodes, page))
	}
}

const benchNodes = 10_000

// bench is the 10k-node chain shared by the benchmarks of one run (BenchmarkEthCall
// is the baseline of BenchmarkSnapshot10k, so both use the same chain). It is
// built on first use and closed by TestMain.
var bench struct {
	once sync.Once
	f    *bulkRegistry
	err  error
}

func TestMain(m *testing.M) {
	leaktest.Main(m, func() {
		if bench.f != nil {
			bench.f.chain.Close()
		}
	})
}

func benchRegistry(b *testing.B) *bulkRegistry {
	b.Helper()
	bench.once.Do(func() {
		start := time.Now()
		bench.f, bench.err = newBulkRegistry(bulkConfig{nodes: benchNodes, operators: 500})
		if bench.err == nil {
			b.Logf("registered %d nodes in %d blocks in %s", benchNodes, bench.f.chain.Head(), time.Since(start).Round(time.Millisecond))
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.f
}

// BenchmarkSnapshot10k measures one snapshot of a 10,000-node registry (a new
// Registry run until it is synced) for several page sizes. MaxPage is the default.
func BenchmarkSnapshot10k(b *testing.B) {
	f := benchRegistry(b)
	for _, page := range []uint64{250, 500, chain.MaxPage} {
		b.Run(fmt.Sprintf("page=%d", page), func(b *testing.B) {
			gas, err := getNodesGas(f.client, f.registry, page, ethconfig.Defaults.RPCGasCap)
			if err != nil {
				b.Fatalf("gas of getNodes(0, %d): %v", page, err)
			}
			calls, nodes := 0, 0
			for b.Loop() {
				res, err := takeSnapshot(context.Background(), f.client, f.registry, page)
				if err != nil {
					b.Fatal(err)
				}
				if res.nodes != benchNodes {
					b.Fatalf("snapshot found %d nodes, want %d", res.nodes, benchNodes)
				}
				if want := wantCalls(benchNodes, page); res.calls > want {
					b.Fatalf("snapshot made %d RPC calls %v, want at most ceil(N/page)+2 = %d", res.calls, res.byKind, want)
				}
				calls += res.calls
				nodes += res.nodes
			}
			b.ReportMetric(float64(calls)/float64(b.N), "rpc-calls/op")
			b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
			b.ReportMetric(float64(gas), "gas/page")
		})
	}
}

// BenchmarkSnapshot10kFetchers compares reading the default pages one at a
// time (the baseline) with the default four at a time.
func BenchmarkSnapshot10kFetchers(b *testing.B) {
	f := benchRegistry(b)
	for _, fetchers := range []int{1, 4} {
		b.Run(fmt.Sprintf("fetchers=%d", fetchers), func(b *testing.B) {
			for b.Loop() {
				res, err := takeSnapshot(context.Background(), f.client, f.registry, chain.MaxPage, fetchers)
				if err != nil {
					b.Fatal(err)
				}
				if res.nodes != benchNodes {
					b.Fatalf("snapshot found %d nodes, want %d", res.nodes, benchNodes)
				}
			}
		})
	}
}

// BenchmarkEthCall is the baseline: one bare eth_call of nodeCount on the
// chain BenchmarkSnapshot10k reads.
func BenchmarkEthCall(b *testing.B) {
	f := benchRegistry(b)
	msg := ethereum.CallMsg{To: &f.registry, Data: mustPack(b, "nodeCount")}
	ctx := context.Background()
	for b.Loop() {
		out, err := f.client.CallContract(ctx, msg, nil)
		if err != nil {
			b.Fatal(err)
		}
		if n := new(big.Int).SetBytes(out); n.Int64() != benchNodes {
			b.Fatalf("nodeCount = %s, want %d", n, benchNodes)
		}
	}
}

// BenchmarkGetNodesGas measures one getNodes call on registries of the
// largest entries the contract accepts, and the gas each page needs: entries
// are unbounded by gas, so a page size that fits geth's 50M eth_call gas cap
// for typical nodes may not fit it for these. These chains lift the cap to 1G
// so that pages above 50M can be measured too.
func BenchmarkGetNodesGas(b *testing.B) {
	const gasCap = 1_000_000_000
	for _, tc := range []struct {
		nodes, maxSized int
		pages           []uint64
	}{
		{nodes: 400, maxSized: 400, pages: []uint64{150, 175, 200, 400}},
		{nodes: chain.MaxPage, maxSized: 50, pages: []uint64{chain.MaxPage}},
	} {
		b.Run(fmt.Sprintf("entries=%dmax+%dtypical", tc.maxSized, tc.nodes-tc.maxSized), func(b *testing.B) {
			f, err := newBulkRegistry(bulkConfig{nodes: tc.nodes, operators: 50, callGasLimit: gasCap, entry: func(i int) ([]string, string) {
				if i < tc.maxSized {
					return maxEntry(i)
				}
				return typicalEntry(i)
			}})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { f.chain.Close() })
			for _, page := range tc.pages {
				b.Run(fmt.Sprintf("page=%d", page), func(b *testing.B) {
					gas, err := getNodesGas(f.client, f.registry, page, gasCap)
					if err != nil {
						b.Fatalf("gas of getNodes(0, %d): %v", page, err)
					}
					msg := ethereum.CallMsg{To: &f.registry, Data: mustPack(b, "getNodes", new(big.Int), new(big.Int).SetUint64(page))}
					for b.Loop() {
						if _, err := f.client.CallContract(context.Background(), msg, nil); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(gas), "gas/page")
				})
			}
		})
	}
}

func mustPack(tb testing.TB, method string, args ...any) []byte {
	tb.Helper()
	a, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		tb.Fatal(err)
	}
	data, err := a.Pack(method, args...)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// getNodesGas is the gas an eth_call of getNodes(0, page) needs at the head.
// eth_estimateGas answers up to the EIP-7825 transaction cap (2^24) only, as
// the dev chain runs Osaka; above it, the answer is found by bisecting the gas
// of eth_call, which that cap does not bind, up to gasCap (the chain's
// eth_call gas cap).
func getNodesGas(b chain.Backend, registry common.Address, page, gasCap uint64) (uint64, error) {
	ctx := context.Background()
	a, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		return 0, err
	}
	data, err := a.Pack("getNodes", new(big.Int), new(big.Int).SetUint64(page))
	if err != nil {
		return 0, err
	}
	msg := ethereum.CallMsg{To: &registry, Data: data}
	if gas, err := b.EstimateGas(ctx, msg); err == nil {
		return gas, nil
	} else if !strings.Contains(err.Error(), "exceeds allowance") {
		return 0, fmt.Errorf("estimate gas: %w", err)
	}
	enough := func(gas uint64) (bool, error) {
		msg.Gas = gas
		_, err := b.CallContract(ctx, msg, nil)
		if err != nil && strings.Contains(err.Error(), "out of gas") {
			return false, nil
		}
		return err == nil, err
	}
	lo, hi := uint64(params.MaxTxGas), gasCap // lo is not enough, hi must be
	if ok, err := enough(hi); err != nil || !ok {
		return 0, fmt.Errorf("getNodes(0, %d) with the %d gas eth_call allows: ok=%t, %v", page, hi, ok, err)
	}
	for hi-lo > 1000 {
		mid := lo + (hi-lo)/2
		ok, err := enough(mid)
		if err != nil {
			return 0, fmt.Errorf("getNodes(0, %d) with %d gas: %w", page, mid, err)
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// seedKey is the key whose scalar is keccak256(seed).
func seedKey(seed string) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		panic(err) // a keccak hash is a valid key but with negligible probability
	}
	return k
}

// bulkAdminSeed seeds the key that deploys a bulk registry; it holds 1,000 ether.
const bulkAdminSeed = "bench-admin"

// bulkNodeKey is the node key of a bulk registry's node i.
func bulkNodeKey(i int) *ecdsa.PrivateKey { return seedKey(fmt.Sprintf("bench-node-%d", i)) }

// bulkRegistry is a dev chain holding a NodeRegistry with many active nodes.
type bulkRegistry struct {
	chain    *devchain.Chain
	client   *ethclient.Client
	registry common.Address
}

type bulkConfig struct {
	nodes     int
	operators int
	// entry gives node i's multiaddrs and metadata (nil: typicalEntry).
	entry func(i int) ([]string, string)
	// callGasLimit is the chain's eth_call gas cap (0: geth's default, 50M).
	callGasLimit uint64
	// rules are the chain's fork rules (nil: the dev chain's).
	rules *params.ChainConfig
}

const (
	bulkBlockGasLimit = 1_000_000_000
	// bulkBatch bounds the transactions in the pool at once, well under the
	// pool's 5120 executable slots.
	bulkBatch = 2000
)

var bulkGasPrice = big.NewInt(10 * params.GWei)

// newBulkRegistry deploys a registry on a new dev chain and registers nodes
// from operators accounts, each node with its own key and proof of possession.
// Nothing waits per transaction: transactions are signed with explicit nonces,
// sent in batches and mined by committing blocks by hand.
func newBulkRegistry(cfg bulkConfig) (_ *bulkRegistry, err error) {
	ctx := context.Background()
	admin := seedKey(bulkAdminSeed)
	ops := make([]*ecdsa.PrivateKey, cfg.operators)
	alloc := map[common.Address]*big.Int{crypto.PubkeyToAddress(admin.PublicKey): ether(1_000)}
	perOp := (cfg.nodes + cfg.operators - 1) / cfg.operators
	opBalance := new(big.Int).Mul(big.NewInt(int64(perOp)), new(big.Int).Add(minStake, ether(1)))
	for i := range ops {
		ops[i] = seedKey(fmt.Sprintf("bench-operator-%d", i))
		alloc[crypto.PubkeyToAddress(ops[i].PublicKey)] = opBalance
	}
	c, err := devchain.New(devchain.Config{Alloc: alloc, BlockGasLimit: bulkBlockGasLimit, CallGasLimit: cfg.callGasLimit, Rules: cfg.rules})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	client := c.Client()
	chainID := big.NewInt(devchain.ChainID)

	deployer := bind.NewKeyedTransactor(admin, chainID)
	registry, tx, contract, err := regabi.DeployNodeRegistry(deployer, client, deployer.From, minStake, uint64(unbonding/time.Second), testAccountability(deployer.From))
	if err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	c.Commit()
	if r, err := client.TransactionReceipt(ctx, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		return nil, fmt.Errorf("deploy not mined: receipt %v, %v", r, err)
	}

	// One estimate sets the gas limit of every registration: the first node
	// costs the most (it also creates the active list's length slot). The dev
	// chain prices state creation by EIP-8037, so a registration costs ~1.6M
	// gas (~13M for a maxEntry), hence the high block gas limit.
	sign := func(i int, gasLimit uint64) (*types.Transaction, error) {
		op := ops[i%cfg.operators]
		opts := bind.NewKeyedTransactor(op, chainID)
		opts.NoSend = true
		opts.Nonce = big.NewInt(int64(i / cfg.operators))
		opts.GasPrice = bulkGasPrice
		opts.GasLimit = gasLimit
		opts.Value = minStake
		nk := bulkNodeKey(i)
		pop, err := chain.SignPop(nk, chainID, registry, opts.From)
		if err != nil {
			return nil, err
		}
		entry := typicalEntry
		if cfg.entry != nil {
			entry = cfg.entry
		}
		addrs, metadata := entry(i)
		return contract.Register(opts, chain.PubKeyBytes(&nk.PublicKey), addrs, metadata, pop)
	}
	first, err := sign(0, 0)
	if err != nil {
		return nil, fmt.Errorf("estimate registration: %w", err)
	}
	gasLimit := min(first.Gas()*5/4, params.MaxTxGas)

	txs := make([]*types.Transaction, cfg.nodes)
	for start := 0; start < cfg.nodes; start += bulkBatch {
		end := min(start+bulkBatch, cfg.nodes)
		if err := forEachParallel(start, end, func(i int) (err error) {
			txs[i], err = sign(i, gasLimit)
			return err
		}); err != nil {
			return nil, fmt.Errorf("sign registrations: %w", err)
		}
		for i := start; i < end; i++ {
			if err := client.SendTransaction(ctx, txs[i]); err != nil {
				return nil, fmt.Errorf("send registration %d: %w", i, err)
			}
		}
		if err := mineUntil(ctx, c, contract, uint64(end)); err != nil {
			return nil, err
		}
	}
	n, err := contract.NodeCount(&bind.CallOpts{Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("nodeCount: %w", err)
	}
	if n.Cmp(big.NewInt(int64(cfg.nodes))) != 0 {
		return nil, fmt.Errorf("nodeCount = %s after registering, want %d", n, cfg.nodes)
	}
	return &bulkRegistry{chain: c, client: client, registry: registry}, nil
}

// mineUntil commits blocks until the registry holds want nodes. A block may
// take only part of the pool (geth stops filling a block after 2s).
func mineUntil(ctx context.Context, c *devchain.Chain, contract *regabi.NodeRegistry, want uint64) error {
	var last uint64
	for stalls := 0; ; {
		c.Commit()
		n, err := contract.NodeCount(&bind.CallOpts{Context: ctx})
		if err != nil {
			return fmt.Errorf("nodeCount: %w", err)
		}
		got := n.Uint64()
		if got >= want {
			return nil
		}
		if got == last {
			if stalls++; stalls == 3 {
				pending, _ := c.Client().PendingTransactionCount(ctx)
				return fmt.Errorf("registrations stalled at %d nodes, want %d (%d transactions pending; did some revert?)", got, want, pending)
			}
		}
		last = got
	}
}

// typicalEntry is a node with two short multiaddrs (TCP and QUIC) and a name.
func typicalEntry(i int) ([]string, string) {
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
	return []string{"/ip4/" + ip + "/tcp/4001", "/ip4/" + ip + "/udp/4001/quic-v1"}, fmt.Sprintf("name=node-%05d", i)
}

// maxEntry is the largest node the contract accepts: MaxMultiaddrs multiaddrs
// of MaxMultiaddrLen bytes and MaxMetadataLength bytes of metadata.
func maxEntry(i int) ([]string, string) {
	addrs := make([]string, chain.MaxMultiaddrs)
	for j := range addrs {
		a := fmt.Sprintf("/dns4/n%d-%d.", i, j)
		addrs[j] = a + strings.Repeat("x", chain.MaxMultiaddrLen-len(a))
	}
	return addrs, strings.Repeat("m", chain.MaxMetadataLength)
}

// forEachParallel runs f(i) for i in [start, end) on every CPU.
func forEachParallel(start, end int, f func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := start + w; i < end; i += workers {
				if err := f(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
