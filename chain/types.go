// Package chain connects to an Ethereum JSON-RPC endpoint, keeps a view of the
// NodeRegistry's active nodes (a snapshot at a confirmed block, then followed by
// events), and sends the registry's transactions. Callers see domain types (Node,
// Change); no binding type leaves this package.
package chain

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Bounds the contract enforces; the view re-checks them because every byte from
// an RPC endpoint is untrusted.
const (
	PubKeyLength      = 64
	MaxMultiaddrs     = 8
	MaxMultiaddrLen   = 256
	MaxMetadataLength = 1024
	// MaxPage is the largest page getNodes serves.
	MaxPage = 1000
)

// Role is a node's role in the network.
type Role uint8

const (
	RoleValidator Role = iota
	RoleCoordinator
)

func (r Role) String() string {
	switch r {
	case RoleValidator:
		return "validator"
	case RoleCoordinator:
		return "coordinator"
	default:
		return fmt.Sprintf("role(%d)", uint8(r))
	}
}

// ParseRole parses "validator" or "coordinator".
func ParseRole(s string) (Role, error) {
	switch s {
	case "validator":
		return RoleValidator, nil
	case "coordinator":
		return RoleCoordinator, nil
	default:
		return 0, fmt.Errorf("unknown role %q (want validator or coordinator)", s)
	}
}

// Status is a node's registration status.
type Status uint8

const (
	StatusNone Status = iota
	StatusActive
	StatusExiting
	StatusWithdrawn
	// StatusJailed: reported offline by a quorum of observers; out of the
	// active set until its operator unjails it after the jail period.
	StatusJailed
)

func (s Status) String() string {
	switch s {
	case StatusNone:
		return "none"
	case StatusActive:
		return "active"
	case StatusExiting:
		return "exiting"
	case StatusWithdrawn:
		return "withdrawn"
	case StatusJailed:
		return "jailed"
	default:
		return fmt.Sprintf("status(%d)", uint8(s))
	}
}

// Node is a registered node as the registry records it.
type Node struct {
	// ID is the Ethereum address of the node key.
	ID common.Address
	// Operator is the staking account that registered the node.
	Operator common.Address
	// PubKey is the node key's uncompressed secp256k1 public key without the 0x04 prefix.
	PubKey []byte
	// PeerID is the libp2p peer ID derived from PubKey.
	PeerID peer.ID
	// Multiaddrs are the addresses the operator published, unparsed.
	Multiaddrs []string
	Metadata   string
	Stake      *big.Int
	Role       Role
	Status     Status
	// RegisteredAt is the block the node registered in.
	RegisteredAt uint64
	// WithdrawableAt is when an exiting node's stake can be withdrawn (zero otherwise).
	WithdrawableAt time.Time
	// ActiveSince is when the node last became active (registration or unjail);
	// a report may count its attestations only for windows that began after it.
	ActiveSince time.Time
	// JailedUntil is when a jailed node's operator may unjail it (zero otherwise).
	JailedUntil time.Time
}

// Clone returns a deep copy, so views can hand out nodes without sharing slices.
func (n Node) Clone() Node {
	c := n
	c.PubKey = slices.Clone(n.PubKey)
	c.Multiaddrs = slices.Clone(n.Multiaddrs)
	if n.Stake != nil {
		c.Stake = new(big.Int).Set(n.Stake)
	}
	return c
}

// Equal reports whether two nodes carry the same registry data.
func (n Node) Equal(o Node) bool {
	return n.ID == o.ID && n.Operator == o.Operator && bytes.Equal(n.PubKey, o.PubKey) &&
		n.PeerID == o.PeerID && slices.Equal(n.Multiaddrs, o.Multiaddrs) && n.Metadata == o.Metadata &&
		bigEqual(n.Stake, o.Stake) && n.Role == o.Role && n.Status == o.Status &&
		n.RegisteredAt == o.RegisteredAt && n.WithdrawableAt.Equal(o.WithdrawableAt) &&
		n.ActiveSince.Equal(o.ActiveSince) && n.JailedUntil.Equal(o.JailedUntil)
}

func bigEqual(a, b *big.Int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(b) == 0
}

// ChangeKind says how the active set changed.
type ChangeKind uint8

const (
	// Added: a node joined the active set.
	Added ChangeKind = iota + 1
	// Updated: an active node's addresses, metadata, stake or role changed.
	Updated
	// Removed: a node left the active set (exit requested, or gone after a reorg).
	Removed
)

func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Updated:
		return "updated"
	case Removed:
		return "removed"
	default:
		return fmt.Sprintf("change(%d)", uint8(k))
	}
}

// Change is one change to the active set and the block it was confirmed in.
type Change struct {
	Kind ChangeKind
	// Node is the node after the change (for Removed, as it was last seen).
	Node  Node
	Block uint64
}

// NodeID returns the node ID (Ethereum address) of a 64-byte uncompressed public key.
func NodeID(pubKey []byte) common.Address {
	return common.BytesToAddress(crypto.Keccak256(pubKey)[12:])
}

// PeerIDFromPubKey derives the libp2p peer ID of a 64-byte uncompressed secp256k1
// public key, the same ID the node's libp2p host has.
func PeerIDFromPubKey(pubKey []byte) (peer.ID, error) {
	if len(pubKey) != PubKeyLength {
		return "", fmt.Errorf("public key is %d bytes, want %d", len(pubKey), PubKeyLength)
	}
	pk, err := p2pcrypto.UnmarshalSecp256k1PublicKey(append([]byte{4}, pubKey...))
	if err != nil {
		return "", fmt.Errorf("parse secp256k1 public key: %w", err)
	}
	return peer.IDFromPublicKey(pk)
}

// validate checks a node read from the chain against the contract's bounds and
// derives its peer ID. A node that fails is left out of the view.
func (n *Node) validate() error {
	if len(n.PubKey) != PubKeyLength {
		return fmt.Errorf("node %s: public key is %d bytes", n.ID, len(n.PubKey))
	}
	if id := NodeID(n.PubKey); id != n.ID {
		return fmt.Errorf("node %s: public key belongs to %s", n.ID, id)
	}
	if len(n.Multiaddrs) == 0 || len(n.Multiaddrs) > MaxMultiaddrs {
		return fmt.Errorf("node %s: %d multiaddrs", n.ID, len(n.Multiaddrs))
	}
	for _, a := range n.Multiaddrs {
		if len(a) == 0 || len(a) > MaxMultiaddrLen {
			return fmt.Errorf("node %s: multiaddr of %d bytes", n.ID, len(a))
		}
	}
	if len(n.Metadata) > MaxMetadataLength {
		return fmt.Errorf("node %s: metadata of %d bytes", n.ID, len(n.Metadata))
	}
	if n.Role > RoleCoordinator {
		return fmt.Errorf("node %s: unknown role %d", n.ID, n.Role)
	}
	pid, err := PeerIDFromPubKey(n.PubKey)
	if err != nil {
		return fmt.Errorf("node %s: %w", n.ID, err)
	}
	n.PeerID = pid
	return nil
}
