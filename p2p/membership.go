// Package p2p is the validator network: a libp2p host that admits only
// registered nodes, a status handshake that keeps networks apart, discovery from
// the registry, static peers and a Kademlia DHT, gossip of signed envelopes, and
// request/response protocols. It learns who is registered through the
// Membership interface and reports what it observes through callbacks; it
// imports neither chain/ nor store/.
package p2p

import (
	"github.com/ethereum/go-ethereum/common"
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
