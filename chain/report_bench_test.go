package chain_test

// The gas of an offline report (issue 13, item 4); figures and the command that
// reproduces them are in docs/benchmarks.md.

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	regabi "validator/abi"
	"validator/chain"
)

// BenchmarkReportGas measures the gas of one offline report on registries of
// 10 to 10,000 active nodes deployed with the default accountability
// parameters (committees of 128). For each size it reports a node with exactly
// the quorum of attestations by members of its committee, then, after the
// slashed stake is swept (so that both reports find slashedPending at zero,
// the dearer case), another node with every member of its committee: the
// largest report the contract takes for that node and window. Both go
// through chain.Transactor.ReportOffline and are read from their receipts.
//
// A report jails its node, so a registry takes one measurement only: run it
// with -benchtime 1x (gas does not vary between runs).
func BenchmarkReportGas(b *testing.B) {
	for _, nodes := range []int{10, 100, 1_000, benchNodes} {
		for _, rules := range []struct {
			name   string
			config *params.ChainConfig
		}{{"dev", nil}, {"osaka", osakaRules()}} {
			b.Run(fmt.Sprintf("nodes=%d/rules=%s", nodes, rules.name), func(b *testing.B) {
				benchmarkReportGas(b, nodes, rules.config)
			})
		}
	}
}

// osakaRules are the dev chain's fork rules without Bogota: storage priced as
// on Osaka (a new slot 22,100 gas), without EIP-8037's state gas (a new slot
// about 110,000 gas on the dev chain).
func osakaRules() *params.ChainConfig {
	r := *params.AllDevChainProtocolChanges
	r.BogotaTime = nil
	return &r
}

func benchmarkReportGas(b *testing.B, nodes int, rules *params.ChainConfig) {
	start := time.Now()
	f, err := newBulkRegistry(bulkConfig{nodes: nodes, operators: min(nodes, 500), rules: rules})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.chain.Close() })
	b.Logf("registered %d nodes in %d blocks in %s", nodes, f.chain.Head(), time.Since(start).Round(time.Millisecond))
	rb := newReportBench(b, f, nodes)
	var quorum, full reportGas
	runs := 0
	for b.Loop() {
		if runs++; runs > 1 {
			b.Fatal("a report jails its node, so each registry is measured once: run with -benchtime 1x")
		}
		quorum = rb.report(b, false)
		rb.sweep(b)
		full = rb.report(b, true)
	}
	b.Logf("quorum report: %+v", quorum)
	b.Logf("whole committee: %+v", full)
	b.ReportMetric(float64(quorum.gas), "gas/report")
	b.ReportMetric(float64(quorum.gas)/float64(quorum.attesters), "gas/attestation")
	b.ReportMetric(float64(quorum.gasLimit), "gaslimit/report")
	b.ReportMetric(float64(quorum.calldata), "calldata-B/report")
	b.ReportMetric(float64(quorum.attesters), "quorum")
	b.ReportMetric(float64(quorum.members), "committee")
	b.ReportMetric(float64(full.gas), "gas/full-report")
	b.ReportMetric(float64(full.attesters), "attesters/full-report")
	if full.attesters > quorum.attesters {
		b.ReportMetric(float64(full.gas-quorum.gas)/float64(full.attesters-quorum.attesters), "gas/extra-attestation")
	}
}

// reportBench reports nodes of a bulk registry offline in one report window.
type reportBench struct {
	f       *bulkRegistry
	ctx     context.Context
	chainID *big.Int
	reg     *regabi.NodeRegistry
	tx      *chain.Transactor
	acc     chain.Accountability
	window  uint64
	active  []common.Address // the active nodes, in registration order
	keys    map[common.Address]*ecdsa.PrivateKey
}

// reportGas is what one report cost.
type reportGas struct {
	nodes     int    // active nodes when it was sent
	observers int    // active nodes but the reported one
	members   int    // the observers in the reported node's committee for the window
	needed    int    // the quorum
	attesters int    // attestations sent
	gas       uint64 // gas used (receipt)
	gasLimit  uint64 // the transaction's gas limit (the Transactor's estimate)
	calldata  int    // bytes of call data
}

func newReportBench(b *testing.B, f *bulkRegistry, nodes int) *reportBench {
	b.Helper()
	ctx := context.Background()
	p, err := chain.ReadParams(ctx, f.client, f.registry)
	if err != nil {
		b.Fatal(err)
	}
	if p.Accountability.CommitteeSize != chain.DefaultAccountability.CommitteeSize {
		b.Fatalf("committee size %d, want the default %d", p.Accountability.CommitteeSize, chain.DefaultAccountability.CommitteeSize)
	}
	reg, err := regabi.NewNodeRegistry(f.registry, f.client)
	if err != nil {
		b.Fatal(err)
	}
	tx, err := chain.NewTransactor(ctx, f.client, f.registry, chain.NewKeySigner(seedKey(bulkAdminSeed)), chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}
	rb := &reportBench{f: f, ctx: ctx, chainID: tx.ChainID(), reg: reg, tx: tx, acc: p.Accountability,
		keys: make(map[common.Address]*ecdsa.PrivateKey, nodes)}
	keys := make([]*ecdsa.PrivateKey, nodes)
	if err := forEachParallel(0, nodes, func(i int) error {
		keys[i] = bulkNodeKey(i)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for _, k := range keys {
		id := crypto.PubkeyToAddress(k.PublicKey)
		rb.active = append(rb.active, id)
		rb.keys[id] = k
	}
	// Every node registered before the window began; the window is over and
	// within the report deadline.
	head := rb.headTime(b)
	rb.window = chain.WindowAt(head, rb.acc.ReportWindow) + 1
	rb.adjustTime(b, chain.WindowStart(rb.window+1, rb.acc.ReportWindow).Sub(head))
	return rb
}

func (rb *reportBench) headTime(b *testing.B) time.Time {
	b.Helper()
	h, err := rb.f.client.HeaderByNumber(rb.ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	return time.Unix(int64(h.Time), 0)
}

// adjustTime seals an empty block d after the head. Right after a
// transaction is mined the pool may not have caught up yet, so it retries.
func (rb *reportBench) adjustTime(b *testing.B, d time.Duration) {
	b.Helper()
	var err error
	for range 100 {
		if err = rb.f.chain.AdjustTime(d); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("adjust time by %s: %v", d, err)
}

// mine runs f, which waits for a transaction to be mined, committing blocks
// until it returns (the bulk chain does not mine by itself).
func (rb *reportBench) mine(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	for {
		select {
		case <-done:
			return
		case <-time.After(5 * time.Millisecond):
			rb.f.chain.Commit()
		}
	}
}

// report reports the first active node, in registration order, whose
// committee for the window has at least the quorum (or, with whole, at least
// its nominal size), with the quorum's first members (with whole, all of
// them) attesting the whole window offline.
func (rb *reportBench) report(b *testing.B, whole bool) reportGas {
	b.Helper()
	size := rb.acc.CommitteeSize
	g := reportGas{nodes: len(rb.active), observers: len(rb.active) - 1}
	g.needed = chain.Quorum(g.observers, size)
	q, err := rb.reg.Quorum(&bind.CallOpts{Context: rb.ctx})
	if err != nil {
		b.Fatalf("quorum: %v", err)
	}
	if q.Observers.Int64() != int64(g.observers) || q.Committee.Int64() != int64(min(g.observers, int(size))) || q.Needed.Int64() != int64(g.needed) {
		b.Fatalf("contract quorum() = %d observers, committee %d, %d needed; chain.Quorum: %d observers, %d needed",
			q.Observers, q.Committee, q.Needed, g.observers, g.needed)
	}
	want := g.needed
	if whole {
		want = min(g.observers, int(size))
	}
	var target common.Address
	var members []common.Address
	for _, id := range rb.active {
		members = members[:0]
		for _, o := range rb.active {
			if chain.InCommittee(rb.chainID, rb.f.registry, id, rb.window, o, g.observers, size) {
				members = append(members, o)
			}
		}
		if len(members) >= want {
			target = id
			break
		}
	}
	if target == (common.Address{}) {
		b.Fatalf("no node has %d committee members in window %d", want, rb.window)
	}
	g.members = len(members)
	if !whole {
		members = members[:g.needed]
	}
	g.attesters = len(members)
	secs := uint64(rb.acc.ReportWindow / time.Second)
	atts := make([]chain.Attestation, len(members))
	for i, o := range members {
		sig, err := chain.SignAttestation(rb.keys[o], rb.chainID, rb.f.registry, target, rb.window, secs)
		if err != nil {
			b.Fatal(err)
		}
		atts[i] = chain.Attestation{Attester: o, OfflineSeconds: secs, Signature: sig}
	}
	var r chain.Receipt
	rb.mine(func() { r, err = rb.tx.ReportOffline(rb.ctx, target, rb.window, atts) })
	if err != nil {
		b.Fatalf("report %s with %d of %d committee members (%d needed): %v", target, g.attesters, g.members, g.needed, err)
	}
	tx, _, err := rb.f.client.TransactionByHash(rb.ctx, r.TxHash)
	if err != nil {
		b.Fatal(err)
	}
	g.gas, g.gasLimit, g.calldata = r.GasUsed, tx.Gas(), len(tx.Data())
	if active, err := rb.reg.IsActive(&bind.CallOpts{Context: rb.ctx}, target); err != nil || active {
		b.Fatalf("reported node still active (%v)", err)
	}
	rb.active = slices.DeleteFunc(rb.active, func(a common.Address) bool { return a == target })
	return g
}

// sweep sends the slashed stake to the sink, so that the next report finds
// slashedPending at zero as the first did.
func (rb *reportBench) sweep(b *testing.B) {
	b.Helper()
	var err error
	rb.mine(func() { _, err = rb.tx.SweepSlashed(rb.ctx) })
	if err != nil {
		b.Fatal(err)
	}
}
