// Package node wires the daemon's parts together and runs them in order.
package node

import (
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"validator/chain"
	"validator/p2p"
)

// Membership adapts the registry view to the p2p layer's Membership.
type Membership struct {
	r *chain.Registry
}

var _ p2p.Membership = (*Membership)(nil)

// NewMembership adapts r.
func NewMembership(r *chain.Registry) *Membership { return &Membership{r: r} }

// ToMember converts a registry node to a network member, keeping only the
// multiaddrs that parse (a /p2p/ suffix is stripped).
func ToMember(n chain.Node) p2p.Member {
	m := p2p.Member{ID: n.ID, PeerID: n.PeerID, Coordinator: n.Role == chain.RoleCoordinator}
	for _, s := range n.Multiaddrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			continue
		}
		if tpt, id := peer.SplitAddr(a); tpt != nil && (id == "" || id == n.PeerID) {
			m.Addrs = append(m.Addrs, tpt)
		}
	}
	return m
}

func (m *Membership) ByPeer(p peer.ID) (p2p.Member, bool) {
	n, ok := m.r.NodeByPeer(p)
	if !ok {
		return p2p.Member{}, false
	}
	return ToMember(n), true
}

func (m *Membership) ByID(id common.Address) (p2p.Member, bool) {
	n, ok := m.r.Node(id)
	if !ok {
		return p2p.Member{}, false
	}
	return ToMember(n), true
}

func (m *Membership) Members() []p2p.Member {
	nodes := m.r.Active()
	out := make([]p2p.Member, len(nodes))
	for i, n := range nodes {
		out[i] = ToMember(n)
	}
	return out
}

func (m *Membership) Watch() ([]p2p.Member, <-chan p2p.MemberChange, func()) {
	nodes, sub := m.r.Subscribe()
	members := make([]p2p.Member, len(nodes))
	for i, n := range nodes {
		members[i] = ToMember(n)
	}
	out := make(chan p2p.MemberChange, 64)
	done := make(chan struct{})
	go func() {
		defer close(out)
		for {
			select {
			case <-done:
				return
			case c, ok := <-sub.Changes():
				if !ok {
					return
				}
				kind := map[chain.ChangeKind]p2p.ChangeKind{chain.Added: p2p.Joined, chain.Updated: p2p.Updated, chain.Removed: p2p.Left}[c.Kind]
				select {
				case out <- p2p.MemberChange{Kind: kind, Member: ToMember(c.Node)}:
				case <-done:
					return
				}
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			sub.Close()
			close(done)
		})
	}
	return members, out, stop
}
