package p2p_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives its tests: every
// goroutine the service starts has an owner that Close waits for. The
// goroutines ignored here are go-ethereum's, started by the devnet chain
// (chain/devchain) that the registry tests run, and cannot be stopped.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The process-wide transaction sender cache: the first block the dev
		// chain inserts starts GOMAXPROCS workers that run for the life of the
		// process, with no way to stop them (core/sender_cacher.go).
		goleak.IgnoreTopFunction("github.com/ethereum/go-ethereum/core.(*txSenderCacher).cache"),
		// The eth_subscribe("newHeads") goroutine of the filter API: when the
		// client's connection closes it unsubscribes through the filter event
		// loop, which has already returned if the node stopped first, and it
		// then blocks forever (eth/filters/filter_system.go, Unsubscribe). The
		// registry's head subscription over the dev chain's in-process client
		// ends this way when a test closes the chain.
		goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/eth/filters.(*FilterAPI).NewHeads.func1"),
	)
}
