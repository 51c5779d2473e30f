package chain_test

import (
	"errors"
	"strings"
	"testing"

	"validator/chain"
)

// TestInsufficientFundsSaysHowMuch: an account that cannot pay is named, with
// its balance and what the transaction needs, in ETH.
func TestInsufficientFundsSaysHowMuch(t *testing.T) {
	c := newContractEnv(t, 0)
	poor := chain.NewKeySigner(key(t, "poor operator"))
	raw, _, _ := nodeKey(t, "poor")
	_, _, err := c.transactor(poor).Register(c.ctx, mustKey(t, raw), []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	if !errors.Is(err, chain.ErrInsufficientFunds) {
		t.Fatalf("register from an empty account: %v, want ErrInsufficientFunds", err)
	}
	for _, want := range []string{poor.Address.Hex() + " has 0 ETH", "register needs 32.", "32 ETH sent + up to 0.", "send ETH to " + poor.Address.Hex()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}
