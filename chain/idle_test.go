package chain_test

import (
	"context"
	"testing"
	"time"

	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"validator/chain"
	"validator/chain/devchain"
	"validator/internal/gethdev"
)

// TestWithdrawOnIdleChain: on a dev chain that mines only when a transaction
// arrives (the embedded devnet, geth --dev without --dev.period), the head's
// timestamp stays at the exit block however long unbonding lasts. Withdraw
// must still go through once the period has passed on the wall clock: the next
// block, the one that would hold the withdrawal, is late enough.
func TestWithdrawOnIdleChain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	op := chain.NewKeySigner(key(t, "idle-operator"))
	admin := chain.NewKeySigner(key(t, "idle-admin"))
	c, err := devchain.New(devchain.Config{Alloc: map[common.Address]*big.Int{op.Address: ether(100), admin.Address: ether(100)}, Automine: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// With 2 s, the withdrawal right after the exit was accepted in about 1
	// run in 20 (CI, 3 December), in a test that took 0.24 s: its block was 2
	// s or more after the exit's by block time (whole seconds, each automined
	// block at least one after its parent). Not explained yet; 5 s leaves room.
	const period = 5 * time.Second
	reg, _, err := chain.Deploy(ctx, c.Client(), admin, chain.DeployParams{MinStake: minStake, UnbondingPeriod: period}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := chain.NewTransactor(ctx, c.Client(), reg, op, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := tx.Register(ctx, key(t, "idle-node"), []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if _, err := tx.Withdraw(ctx, id); !chain.IsRevert(err, "NotExiting") {
		t.Fatalf("withdraw while active: %v, want NotExiting", err)
	}
	if _, err := tx.RequestExit(ctx, id); err != nil {
		t.Fatalf("request exit: %v", err)
	}
	if _, err := tx.Withdraw(ctx, id); !chain.IsRevert(err, "StillBonded") {
		t.Fatalf("withdraw right after exit: %v, want StillBonded", err)
	}
	n, err := chain.ReadNode(ctx, c.Client(), reg, id)
	if err != nil {
		t.Fatal(err)
	}
	// Past the end of unbonding on the wall clock, with no block since the exit.
	head := c.Head()
	time.Sleep(time.Until(n.WithdrawableAt) + 1100*time.Millisecond)
	if h := c.Head(); h != head {
		t.Fatalf("the chain mined blocks %d..%d while idle; the test needs an idle chain", head+1, h)
	}
	r, err := tx.Withdraw(ctx, id)
	if err != nil {
		t.Fatalf("withdraw %s after unbonding (withdrawable at %s, now %s) on an idle chain: %v", id, n.WithdrawableAt.UTC().Format(time.RFC3339), time.Now().UTC().Format(time.RFC3339), err)
	}
	if n, err := chain.ReadNode(ctx, c.Client(), reg, id); err != nil || n.Status != chain.StatusWithdrawn {
		t.Fatalf("after withdraw in block %d: node %s, %v; want withdrawn", r.Block, n.Status, err)
	}
}

// TestGethWithdrawAfterUnbonding is TestWithdrawOnIdleChain on a real
// geth --dev without --dev.period: it too mines only when a transaction
// arrives.
func TestGethWithdrawAfterUnbonding(t *testing.T) {
	g := gethdev.Start(t, gethdev.Find(t))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	op := chain.NewKeySigner(key(t, "geth-idle-operator"))
	g.Fund(ctx, t, ether(100), op.Address)
	// With 2 s, the withdrawal right after the exit was accepted in about 1
	// run in 20 (CI, 3 December), in a test that took 0.24 s: its block was 2
	// s or more after the exit's by block time (whole seconds, each automined
	// block at least one after its parent). Not explained yet; 5 s leaves room.
	const period = 5 * time.Second
	reg, _, err := chain.Deploy(ctx, g.HTTP, op, chain.DeployParams{MinStake: minStake, UnbondingPeriod: period}, chain.WithReceiptPoll(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := chain.NewTransactor(ctx, g.HTTP, reg, op, chain.WithReceiptPoll(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := tx.Register(ctx, key(t, "geth-idle-node"), []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if _, err := tx.RequestExit(ctx, id); err != nil {
		t.Fatalf("request exit: %v", err)
	}
	n, err := chain.ReadNode(ctx, g.HTTP, reg, id)
	if err != nil {
		t.Fatal(err)
	}
	head, err := g.HTTP.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(n.WithdrawableAt) + 1100*time.Millisecond)
	if h, err := g.HTTP.BlockNumber(ctx); err != nil || h != head {
		t.Fatalf("geth mined blocks %d..%d while idle (%v); the test needs an idle chain", head+1, h, err)
	}
	if _, err := tx.Withdraw(ctx, id); err != nil {
		t.Fatalf("withdraw after unbonding on an idle geth --dev: %v", err)
	}
}
