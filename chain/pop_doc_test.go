package chain_test

import (
	"encoding/hex"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
)

// TestProtocolDocPop keeps the proof-of-possession example of docs/protocol.md
// true: the domain tag, digest and 27/28 signature of devnet node key 1
// registered by devnet operator 1 on the devnet registry, computed here, must
// appear in the document verbatim.
func TestProtocolDocPop(t *testing.T) {
	b, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(b)), "")
	want := func(what, s string) {
		t.Helper()
		if !strings.Contains(doc, s) {
			t.Errorf("docs/protocol.md does not state the %s: %s", what, s)
		}
	}
	operator := crypto.PubkeyToAddress(chain.DevnetOperatorKey(1).PublicKey)
	chainID := big.NewInt(chain.DevnetChainID)
	want("registry", chain.DevnetRegistry.Hex())
	want("operator", operator.Hex())
	want("POP_DOMAIN", `POP_DOMAIN=keccak256("validator.NodeRegistry.register.v1")`)
	want("POP_DOMAIN value", hex.EncodeToString(chain.PopDomain[:]))
	d := chain.PopDigest(chainID, chain.DevnetRegistry, operator)
	want("digest", "digest"+hex.EncodeToString(d[:]))
	sig, err := chain.SignPop(chain.DevnetNodeKey(1), chainID, chain.DevnetRegistry, operator)
	if err != nil {
		t.Fatal(err)
	}
	want("signature", "signature"+hex.EncodeToString(sig))
}
