// Package p2p is the validator network: a libp2p host that admits only
// registered nodes, a status handshake that keeps networks apart, discovery from
// the registry, static peers, a Kademlia DHT and, when enabled, mDNS and
// discv5, gossip of signed envelopes, and
// request/response protocols. It learns who is registered through the
// Membership interface and reports what it observes through callbacks; it
// imports neither chain/ nor store/.
package p2p

import (
	"fmt"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Member is a registered, active node as the network sees it.
type Member struct {
	// ID is the node ID: the Ethereum address of the node key.
	ID common.Address
	// PeerID is the libp2p identity of the node key.
	PeerID peer.ID
	// Addrs are the registry's multiaddrs for the node that parsed; they may be
	// stale, which is what the DHT and heartbeats are for. Memberships may share
	// the slice between callers: read it, never modify it.
	Addrs []ma.Multiaddr
	// Coordinator is set for nodes with the coordinator role.
	Coordinator bool
	// PubKey is the registered node key, uncompressed (0x04 || X || Y, 65
	// bytes): the form crypto.VerifySignature takes without decompressing.
	// Memberships prepare it once per member and registry version, never
	// per message (node/ from the registry's key, StaticMembership.Put with
	// MemberKey); a member without it cannot be authenticated and its
	// messages are ignored. Read it, never modify it.
	PubKey []byte
}

// keyParses counts MemberKey calls, so tests can check that keys are parsed
// per member, not per message.
var keyParses atomic.Uint64

// MemberKey derives Member.PubKey from a node's libp2p identity: the
// secp256k1 key in p, uncompressed, checked to be the key of node ID id.
// It decompresses the key, so call it when a member is added, not per
// message.
func MemberKey(id common.Address, p peer.ID) ([]byte, error) {
	keyParses.Add(1)
	pk, err := p.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("extract key of %s: %w", p, err)
	}
	if pk.Type() != p2pcrypto.Secp256k1 {
		return nil, fmt.Errorf("key of %s is %s, want secp256k1", p, pk.Type())
	}
	raw, err := pk.Raw()
	if err != nil {
		return nil, fmt.Errorf("read key of %s: %w", p, err)
	}
	pub, err := ethcrypto.DecompressPubkey(raw)
	if err != nil {
		return nil, fmt.Errorf("decompress key of %s: %w", p, err)
	}
	if got := ethcrypto.PubkeyToAddress(*pub); got != id {
		return nil, fmt.Errorf("key of %s is node %s, not %s", p, got, id)
	}
	return ethcrypto.FromECDSAPub(pub), nil
}

// ChangeKind says how membership changed.
type ChangeKind uint8

const (
	Joined ChangeKind = iota + 1
	Updated
	Left
)

func (k ChangeKind) String() string {
	switch k {
	case Joined:
		return "joined"
	case Updated:
		return "updated"
	case Left:
		return "left"
	default:
		return "unknown"
	}
}

// MemberChange is one change to the set of active members.
type MemberChange struct {
	Kind   ChangeKind
	Member Member
}

// Membership is the set of registered, active nodes. chain.Registry backs it in
// the daemon (adapted in node/); tests may back it with anything.
type Membership interface {
	// ByPeer finds an active member by libp2p identity.
	ByPeer(p peer.ID) (Member, bool)
	// ByID finds an active member by node ID.
	ByID(id common.Address) (Member, bool)
	// Members lists the active members.
	Members() []Member
	// Watch returns the active members and a channel of every later change,
	// atomically. The channel is closed when stop is called or the source ends.
	// stop is idempotent and returns only when nothing of the watch runs any
	// more: an implementation that feeds the channel from a goroutine waits
	// for it.
	Watch() (members []Member, changes <-chan MemberChange, stop func())
}
