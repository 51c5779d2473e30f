package node_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := findLeaks(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// findLeaks is goleak.Find with more patience: goleveldb's pool drainer (the
// dev chain's in-memory node database) lingers up to 1s after Close, longer
// than Find waits; it is waited for, not ignored.
func findLeaks() (err error) {
	for range 4 {
		if err = goleak.Find(
			// go-ethereum's transaction sender cache (core.SenderCacher) is
			// a process-wide pool, started on first use by the dev chain and
			// never stopped.
			goleak.IgnoreTopFunction("github.com/ethereum/go-ethereum/core.(*txSenderCacher).cache"),
			// go-ethereum's log index: an eth_getLogs in flight when the dev
			// chain closes waits in SyncLogIndex for an indexer that has
			// stopped, and the in-process RPC connection's close waits for
			// that call (1 run of chain's tests in 5; go-ethereum v1.17.10).
			goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/core/filtermaps.(*FilterMapsMatcherBackend).SyncLogIndex"),
			goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/rpc.(*handler).close"),
			goleak.IgnoreAnyFunction("github.com/ethereum/go-ethereum/rpc.(*Server).ServeCodec"),
		); err == nil {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
	return err
}
