package chain

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// PopDomain is the domain tag of the registration proof of possession; it must
// match POP_DOMAIN in contracts/NodeRegistry.sol.
var PopDomain = crypto.Keccak256Hash([]byte("validator.NodeRegistry.register.v1"))

var popArgs = abiArgs("bytes32", "uint256", "address", "address")

// abiArgs are ABI arguments of the given static types, for abi.encode.
func abiArgs(types ...string) abi.Arguments {
	args := make(abi.Arguments, len(types))
	for i, t := range types {
		args[i] = abi.Argument{Type: mustType(t)}
	}
	return args
}

func mustType(t string) abi.Type {
	typ, err := abi.NewType(t, "", nil)
	if err != nil {
		panic(err)
	}
	return typ
}

// PopDigest is the digest a node key signs to prove possession when operator
// registers it on the registry at registry on chain chainID:
// keccak256(abi.encode(PopDomain, chainID, registry, operator)).
func PopDigest(chainID *big.Int, registry, operator common.Address) common.Hash {
	enc, err := popArgs.Pack(PopDomain, chainID, registry, operator)
	if err != nil {
		panic(err) // static types; cannot fail
	}
	return crypto.Keccak256Hash(enc)
}

// SignPop signs the proof of possession with the node key. The signature is
// [r || s || v] with v in {27, 28}, as ecrecover expects.
func SignPop(nodeKey *ecdsa.PrivateKey, chainID *big.Int, registry, operator common.Address) ([]byte, error) {
	d := PopDigest(chainID, registry, operator)
	sig, err := crypto.Sign(d[:], nodeKey)
	if err != nil {
		return nil, fmt.Errorf("sign proof of possession: %w", err)
	}
	sig[64] += 27
	return sig, nil
}

// PubKeyBytes returns the 64-byte uncompressed public key the registry stores.
func PubKeyBytes(pub *ecdsa.PublicKey) []byte {
	return crypto.FromECDSAPub(pub)[1:]
}
