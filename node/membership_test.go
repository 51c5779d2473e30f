package node_test

import (
	"bytes"
	"testing"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
	"validator/node"
)

// ToMember hands gossip validation the registered key in the form verify
// takes (65 bytes uncompressed), built once with the member, and nothing for
// a node whose registered key is not 64 bytes.
func TestToMemberKey(t *testing.T) {
	k, err := ethcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub := chain.PubKeyBytes(&k.PublicKey)
	id, err := chain.PeerIDFromPubKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	n := chain.Node{ID: ethcrypto.PubkeyToAddress(k.PublicKey), PubKey: pub, PeerID: id}
	m := node.ToMember(n)
	if want := ethcrypto.FromECDSAPub(&k.PublicKey); !bytes.Equal(m.PubKey, want) {
		t.Fatalf("member key %x, want %x", m.PubKey, want)
	}
	hash := ethcrypto.Keccak256([]byte("x"))
	sig, err := ethcrypto.Sign(hash, k)
	if err != nil {
		t.Fatal(err)
	}
	if !ethcrypto.VerifySignature(m.PubKey, hash, sig[:64]) {
		t.Fatal("a signature by the node key does not verify under the member key")
	}
	pub[0] ^= 1 // the member's key is a copy, not the registry's bytes
	if m.PubKey[1] == pub[0] {
		t.Fatal("member key aliases the registry node's key")
	}
	n.PubKey = pub[:63]
	if m := node.ToMember(n); m.PubKey != nil {
		t.Fatalf("member key %x from a 63-byte registered key", m.PubKey)
	}
}
