package chain_test

import (
	"crypto/ecdsa"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestContractErrorsReadable: the registry's errors name amounts in ETH and
// times as dates, never wei or Unix seconds, and say what to do.
func TestContractErrorsReadable(t *testing.T) {
	c := newContractEnv(t, 1)
	raw, _, id := nodeKey(t, "readable")
	k := c.ops[0]

	_, _, err := k.Register(c.ctx, mustKey(t, raw), []string{"/ip4/127.0.0.1/tcp/4001"}, "", ether(1))
	expectContractError(t, err, "StakeTooLow", nil)
	for _, want := range []string{"StakeTooLow(sent=1 ETH, minimum=32 ETH)", "stake at least 32 ETH"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("register with 1 ETH: %q does not say %q", err, want)
		}
	}

	c.registerKey(t, 0, raw, []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	c.exit(t, 0, id)
	_, err = k.Withdraw(c.ctx, id)
	expectContractError(t, err, "StillBonded", nil)
	at := c.node(t, id).WithdrawableAt.UTC().Format(time.RFC3339)
	for _, want := range []string{"StillBonded(withdrawableAt=" + at + ")", "withdraw again at or after " + at} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("withdraw while bonded: %q does not say %q", err, want)
		}
	}
	if m := regexp.MustCompile(`\d{9,}`).FindString(err.Error()); m != "" {
		t.Errorf("withdraw while bonded: %q still shows a raw number %s", err, m)
	}
}

func mustKey(t *testing.T, raw []byte) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
