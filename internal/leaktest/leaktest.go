// Package leaktest is the goroutine-leak check of the test mains of the
// packages whose tests run the dev chain (chain/devchain): goleak, with the
// go-ethereum goroutines that cannot be stopped ignored, and patience for
// the ones that end shortly after the chain closes.
package leaktest

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// gethOptions are go-ethereum's goroutines that outlive a closed dev chain.
var gethOptions = []goleak.Option{
	// The process-wide transaction sender cache: the first block the dev
	// chain inserts starts GOMAXPROCS workers that run for the life of the
	// process, with no way to stop them (core/sender_cacher.go).
	goleak.IgnoreTopFunction("github.com/ethereum/go-ethereum/core.(*txSenderCacher).cache"),
	// The eth_subscribe("newHeads") goroutine of the filter API: when the
	// client's connection closes it unsubscribes through the filter event
	// loop, which has already returned if the node stopped first, and then
	// blocks forever (eth/filters/filter_system.go, Unsubscribe).
	goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/eth/filters.(*FilterAPI).NewHeads.func1"),
	// The log index: an eth_getLogs in flight when the dev chain closes
	// waits in SyncLogIndex for an indexer that has stopped, and the
	// in-process RPC connection's close waits for that call (chain's tests
	// failed on it 1 run in 5; go-ethereum v1.17.10).
	goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/core/filtermaps.(*FilterMapsMatcherBackend).SyncLogIndex"),
	goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/rpc.(*handler).close"),
	goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/rpc.(*Server).ServeCodec"),
}

// Find is goleak.Find with those ignored, and with more patience: goleveldb's
// pool drainer (the dev chain's in-memory node database) lingers up to 1 s
// after Close, longer than goleak waits; it is waited for, not ignored.
func Find(extra ...goleak.Option) (err error) {
	opts := append(append([]goleak.Option(nil), gethOptions...), extra...)
	for range 4 {
		if err = goleak.Find(opts...); err == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return err
}

// Main runs a package's tests, then the cleanups, then Find, and exits: with
// the tests' code, or 1 if they passed and a goroutine leaked.
func Main(m *testing.M, cleanups ...func()) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	if code == 0 {
		if err := Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}
