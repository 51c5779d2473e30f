package p2p

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
)

// validSignatureValues agrees with go-ethereum's homestead rules on r and s
// on the edges of every range and on random values.
func TestValidSignatureValuesMatchesGoEthereum(t *testing.T) {
	n := ethcrypto.S256().Params().N
	half := new(big.Int).Rsh(n, 1)
	one := big.NewInt(1)
	edges := []*big.Int{
		big.NewInt(0), one, big.NewInt(2),
		new(big.Int).Sub(half, one), half, new(big.Int).Add(half, one),
		new(big.Int).Sub(n, one), n, new(big.Int).Add(n, one),
		new(big.Int).Sub(new(big.Int).Lsh(one, 256), one),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, 32)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if rng.IntN(2) == 0 {
			b[0] &= 0x7f // often below N/2
		}
		edges = append(edges, new(big.Int).SetBytes(b))
	}
	sig := make([]byte, SignatureLen)
	for _, r := range edges {
		for _, s := range edges {
			if r.BitLen() > 256 || s.BitLen() > 256 {
				continue // not representable in [r || s]
			}
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:64])
			// v = 0: the [r || s] form has no recovery byte; go-ethereum's
			// rules on r and s are the same for any valid v.
			want := ethcrypto.ValidateSignatureValues(0, r, s, true)
			if got := validSignatureValues(sig); got != want {
				t.Fatalf("r=%x s=%x: %v, go-ethereum says %v", r, s, got, want)
			}
		}
	}
	if bytes.Equal(secpHalfN, secpN) {
		t.Fatal("N/2 == N")
	}
}
