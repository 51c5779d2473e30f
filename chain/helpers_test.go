package chain_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"validator/chain"
	"validator/chain/devchain"
)

var (
	minStake  = new(big.Int).Mul(big.NewInt(32), big.NewInt(params.Ether))
	unbonding = time.Hour
)

// env is a dev chain with a deployed registry and funded operator accounts.
type env struct {
	t         *testing.T
	chain     *devchain.Chain
	backend   chain.Backend
	registry  common.Address
	admin     *chain.Signer
	adminTx   *chain.Transactor
	operators []*chain.Signer
	manual    bool
}

type envConfig struct {
	// manual: blocks are sealed only by Commit (and by mine while it waits).
	manual    bool
	operators int
	httpAddr  string
	// callGasLimit caps eth_call gas (default geth's 50M).
	callGasLimit uint64
	// acc are the registry's accountability parameters (zero: the defaults).
	acc chain.Accountability
}

// mine runs f; on a manual chain it seals blocks until f returns, so that f can
// wait for its transactions.
func (e *env) mine(f func()) {
	if !e.manual {
		f()
		return
	}
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
			e.chain.Commit()
		}
	}
}

func key(t testing.TB, seed string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	ctx := context.Background()
	admin := chain.NewKeySigner(key(t, "admin"))
	alloc := map[common.Address]*big.Int{admin.Address: ether(1_000_000)}
	var ops []*chain.Signer
	for i := range cfg.operators {
		s := chain.NewKeySigner(key(t, fmt.Sprintf("operator-%d", i)))
		ops = append(ops, s)
		alloc[s.Address] = ether(1_000_000)
	}
	c, err := devchain.New(devchain.Config{Alloc: alloc, Automine: !cfg.manual, HTTPAddr: cfg.httpAddr, CallGasLimit: cfg.callGasLimit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	e := &env{t: t, chain: c, backend: c.Client(), admin: admin, operators: ops, manual: cfg.manual}
	var addr common.Address
	e.mine(func() {
		addr, _, err = chain.Deploy(ctx, e.backend, admin, chain.DeployParams{MinStake: minStake, UnbondingPeriod: unbonding, Accountability: cfg.acc}, chain.WithReceiptPoll(5*time.Millisecond))
	})
	if err != nil {
		t.Fatal(err)
	}
	e.registry = addr
	e.adminTx = e.transactor(admin)
	return e
}

func (e *env) transactor(s *chain.Signer) *chain.Transactor {
	e.t.Helper()
	tx, err := chain.NewTransactor(context.Background(), e.backend, e.registry, s, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

// register registers a fresh node key (seeded by name) for operator i.
func (e *env) register(i int, name string, addrs ...string) (common.Address, *ecdsa.PrivateKey) {
	e.t.Helper()
	nk := key(e.t, "node-"+name)
	if len(addrs) == 0 {
		addrs = []string{"/ip4/127.0.0.1/tcp/4001"}
	}
	var (
		id  common.Address
		err error
	)
	e.mine(func() {
		id, _, err = e.transactor(e.operators[i]).Register(context.Background(), nk, addrs, "name="+name, minStake)
	})
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	return id, nk
}

func ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// emptyBlock seals an empty block one second after the head. Right after a
// transaction is mined the pool may not have caught up yet, so it retries.
func (e *env) emptyBlock() {
	e.t.Helper()
	eventually(e.t, "an empty block", func() bool { return e.chain.AdjustTime(time.Second) == nil })
}
