package p2p

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Identity is the node key in the forms the network needs: the libp2p private
// key (host identity), the peer ID, and the node ID that signs envelopes.
type Identity struct {
	Key    *ecdsa.PrivateKey
	Priv   p2pcrypto.PrivKey
	PeerID peer.ID
	NodeID common.Address
}

// NewIdentity derives the network identity of a secp256k1 node key.
func NewIdentity(key *ecdsa.PrivateKey) (Identity, error) {
	priv, err := p2pcrypto.UnmarshalSecp256k1PrivateKey(ethcrypto.FromECDSA(key))
	if err != nil {
		return Identity{}, fmt.Errorf("node key as libp2p key: %w", err)
	}
	pid, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		return Identity{}, fmt.Errorf("peer ID: %w", err)
	}
	return Identity{Key: key, Priv: priv, PeerID: pid, NodeID: ethcrypto.PubkeyToAddress(key.PublicKey)}, nil
}
