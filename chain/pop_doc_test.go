package chain_test

import (
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
	"validator/internal/testutil"
)

// TestProtocolDocPop keeps the proof-of-possession example of docs/protocol.md
// true: the domain tag, digest and 27/28 signature of devnet node key 1
// registered by devnet operator 1 on the devnet registry, computed here, must
// appear in the document verbatim.
func TestProtocolDocPop(t *testing.T) {
	want := testutil.DocStates(t, "../docs/protocol.md")
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
