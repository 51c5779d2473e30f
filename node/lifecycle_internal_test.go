package node

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
	"validator/chain/devchain"
	"validator/store"
)

// journal records what the fake components did, in order.
type journal struct {
	mu  sync.Mutex
	got []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.got = append(j.got, s)
}

func (j *journal) list() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.got)
}

// fake is a component that journals its start and stop and runs until its
// ctx ends.
func fake(j *journal, name string) component {
	return component{
		name:  name,
		start: func(context.Context) error { j.add("start " + name); return nil },
		run:   func(ctx context.Context) error { <-ctx.Done(); return nil },
		stop:  func(context.Context) error { j.add("stop " + name); return nil },
	}
}

func TestLifecycleStartsInOrderAndStopsInReverse(t *testing.T) {
	j := &journal{}
	l := newLifecycle()
	if err := l.start(context.Background(), []component{fake(j, "a"), fake(j, "b"), fake(j, "c")}); err != nil {
		t.Fatal(err)
	}
	if err := l.stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"start a", "start b", "start c", "stop c", "stop b", "stop a"}
	if got := j.list(); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err := l.stop(context.Background()); err != nil || len(j.list()) != len(want) {
		t.Fatalf("second stop: %v, journal %q", err, j.list())
	}
}

// A component whose start fails is released (its stop runs), the ones before
// it stop in reverse, and the ones after it never start.
func TestLifecycleFailedStartIsReleased(t *testing.T) {
	j := &journal{}
	boom := errors.New("boom")
	b := fake(j, "b")
	b.start = func(context.Context) error { j.add("start b"); return boom }
	l := newLifecycle()
	if err := l.start(context.Background(), []component{fake(j, "a"), b, fake(j, "c")}); !errors.Is(err, boom) {
		t.Fatalf("start: %v, want %v", err, boom)
	}
	if err := l.stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"start a", "start b", "stop b", "stop a"}
	if got := j.list(); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A loop that ends on its own while a later component is still starting ends
// the start, and the start returns that failure, not its own ctx error.
func TestLifecycleFailureDuringStartIsTheCause(t *testing.T) {
	j := &journal{}
	die := make(chan struct{})
	a := fake(j, "view")
	a.run = func(ctx context.Context) error {
		select {
		case <-die:
			return errors.New("lost the plot")
		case <-ctx.Done():
			return nil
		}
	}
	b := fake(j, "waiter")
	b.start = func(ctx context.Context) error {
		close(die)
		<-ctx.Done()
		return ctx.Err()
	}
	l := newLifecycle()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := l.start(ctx, []component{a, b})
	if err == nil || err.Error() != "view: lost the plot" {
		t.Fatalf("start: %v, want the view's failure", err)
	}
	if err := l.stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A component that does not stop in time is named, and nothing started
// before it is stopped (the store stays open under the writer); a later stop
// resumes once it ends.
func TestLifecycleStopTimeoutKeepsLowerComponents(t *testing.T) {
	j := &journal{}
	release := make(chan struct{})
	w := fake(j, "writer")
	w.run = func(ctx context.Context) error {
		<-release // ignores ctx
		return nil
	}
	l := newLifecycle()
	if err := l.start(context.Background(), []component{fake(j, "store"), w, fake(j, "api")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := l.stop(ctx)
	if err == nil || !strings.Contains(err.Error(), "shutdown: writer did not stop within") {
		t.Fatalf("stop: %v, want one that names the writer", err)
	}
	if got, want := j.list(), []string{"start store", "start writer", "start api", "stop api"}; !slices.Equal(got, want) {
		t.Fatalf("after the timeout: %q, want %q", got, want)
	}
	close(release)
	if err := l.stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := j.list()[4:], []string{"stop writer", "stop store"}; !slices.Equal(got, want) {
		t.Fatalf("resumed stop: %q, want %q", got, want)
	}
}

// soloNode builds (does not start) one registered node on an in-process dev
// chain, the chain closed at the end of the test.
func soloNode(t *testing.T) *Node {
	t.Helper()
	ctx := context.Background()
	deployer := chain.NewKeySigner(chain.DevnetDeployerKey)
	operator := chain.DevnetOperatorKey(0)
	c, err := devchain.New(devchain.Config{Alloc: map[common.Address]*big.Int{
		deployer.Address: DevnetFaucetBalance, crypto.PubkeyToAddress(operator.PublicKey): DevnetOperatorBalance,
	}, Automine: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	registry, _, err := chain.Deploy(ctx, c.Client(), deployer, chain.DeployParams{MinStake: DevnetStake, UnbondingPeriod: time.Hour}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	listen := []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port)}
	tx, err := chain.NewTransactor(ctx, c.Client(), registry, chain.NewKeySigner(operator), chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tx.Register(ctx, chain.DevnetNodeKey(0), listen, "", DevnetStake); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Chain = ChainConfig{Network: "solo", ChainID: devchain.ChainID, RPCURL: "http://127.0.0.1:1", Registry: registry.Hex(), StallAfter: cfg.Chain.StallAfter}
	cfg.Network.ListenAddrs = listen
	cfg.API.Listen = "127.0.0.1:0"
	cfg.Store.DataDir = filepath.Join(t.TempDir(), "data")
	n, err := New(Options{Config: cfg, NodeKey: chain.DevnetNodeKey(0), Backend: c.Client(), SyncTimeout: 30 * time.Second, ShutdownTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// insertAfter returns comps with c inserted after the component named after.
func insertAfter(t *testing.T, comps []component, after string, c component) []component {
	i := slices.IndexFunc(comps, func(c component) bool { return c.name == after })
	if i < 0 {
		t.Fatalf("no component %q", after)
	}
	return slices.Insert(comps, i+1, c)
}

// When the registry view's loop dies after start, Run stops the whole node
// and returns the view's error, named.
func TestRunReturnsTheFailureOfARunningComponent(t *testing.T) {
	n := soloNode(t)
	errDied := errors.New("rpc answered nonsense")
	kill, up := make(chan struct{}), make(chan struct{})
	n.tuneComponents = func(comps []component) []component {
		comps = insertAfter(t, comps, "api", component{name: "up", start: func(context.Context) error { close(up); return nil }})
		i := slices.IndexFunc(comps, func(c component) bool { return c.name == "registry view" })
		run := comps[i].run
		comps[i].run = func(ctx context.Context) error {
			// The real loop, ended from outside as if it had died.
			vctx, cancel := context.WithCancel(ctx)
			go func() {
				select {
				case <-kill:
				case <-vctx.Done():
				}
				cancel()
			}()
			if err := run(vctx); err != nil || ctx.Err() != nil {
				return err
			}
			return errDied
		}
		return comps
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(context.Background()) }()
	select {
	case <-up:
	case err := <-done:
		t.Fatalf("run ended before the failure: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("node did not start")
	}
	addr := n.APIAddr()
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	close(kill)
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("run still running 30s after the registry view died")
	}
	if !errors.Is(err, errDied) || !strings.HasPrefix(err.Error(), "registry view: ") {
		t.Fatalf("run: %v, want the registry view's error, named", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Error("the API still listens after run returned")
	}
	if _, err := n.st.Peers(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("store after run: %v, want it closed", err)
	}
}

// When a component that writes to the store does not stop within the
// shutdown timeout, Close names it and leaves the store open under it; a
// later Close finishes once it has stopped.
func TestCloseTimeoutNamesComponentAndLeavesStoreOpen(t *testing.T) {
	n := soloNode(t)
	release := make(chan struct{})
	var writes, failed atomic.Int64
	n.tuneComponents = func(comps []component) []component {
		return insertAfter(t, comps, "liveness", component{
			name: "stuck writer",
			run: func(ctx context.Context) error {
				for {
					err := n.st.AddTransition(store.Transition{Peer: common.Address{1}, At: time.Now(), Reason: "test"})
					writes.Add(1)
					if err != nil {
						failed.Add(1)
					}
					select {
					case <-release: // ignores ctx until released
						return nil
					case <-time.After(5 * time.Millisecond):
					}
				}
			},
		})
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := n.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "shutdown: stuck writer did not stop within") {
		t.Fatalf("close: %v, want one that names the stuck writer", err)
	}
	before := writes.Load()
	time.Sleep(100 * time.Millisecond)
	if writes.Load() == before {
		t.Fatal("the writer stopped writing")
	}
	if _, err := n.st.Peers(); err != nil {
		t.Fatalf("store after the timeout: %v, want it open", err)
	}
	if f := failed.Load(); f > 0 {
		t.Fatalf("%d writes failed after the timeout: the store was closed under the writer", f)
	}
	close(release)
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := n.st.Peers(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("store after the second close: %v, want it closed", err)
	}
}

// Membership.Watch's stop returns only once its goroutine has ended: the
// change channel is closed by then.
func TestMembershipWatchStopWaits(t *testing.T) {
	n := soloNode(t)
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer n.Close(context.Background())
	m := NewMembership(n.view)
	for i := range 200 {
		_, changes, stop := m.Watch()
		stop()
		select {
		case _, ok := <-changes:
			if ok {
				t.Fatalf("watch %d: a change after stop", i)
			}
		default:
			t.Fatalf("watch %d: stop returned while its goroutine still ran (the channel is open)", i)
		}
	}
}
