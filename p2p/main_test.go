package p2p_test

import (
	"testing"

	"validator/internal/leaktest"
)

// TestMain fails the package if a goroutine outlives its tests: every
// goroutine the service starts has an owner that Close waits for. Only
// go-ethereum's goroutines, started by the devnet chain (chain/devchain) that
// the registry tests run, are ignored (internal/leaktest says which and why).
func TestMain(m *testing.M) { leaktest.Main(m) }
