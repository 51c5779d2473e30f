// Package node wires the daemon's parts together and runs them in order.
package node

import (
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"validator/chain"
	"validator/p2p"
)

// Membership adapts the registry view to the p2p layer's Membership. Lookups
// sit on hot paths (every gossip message's sender, every connection), so the
// converted members are cached and rebuilt only when the registry's version
// changes.
type Membership struct {
	r *chain.Registry

	mu      sync.RWMutex
	version uint64
	built   bool
	members []p2p.Member
	byID    map[common.Address]int
	byPeer  map[peer.ID]int
}

var _ p2p.Membership = (*Membership)(nil)

// NewMembership adapts r.
func NewMembership(r *chain.Registry) *Membership { return &Membership{r: r} }

// ToMember converts a registry node to a network member, keeping only the
// multiaddrs that parse (a /p2p/ suffix is stripped). The registry's 64-byte
// key (checked against the node ID and parsed by chain/) becomes the 65-byte
// uncompressed Member.PubKey gossip validation verifies with; Membership
// calls ToMember once per member and registry version, not per message.
func ToMember(n chain.Node) p2p.Member {
	m := p2p.Member{ID: n.ID, PeerID: n.PeerID, Coordinator: n.Role == chain.RoleCoordinator}
	if len(n.PubKey) == chain.PubKeyLength {
		m.PubKey = append([]byte{4}, n.PubKey...)
	}
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

// current returns the cache for the registry's current version, rebuilding it
// if the active set changed. Callers hold no lock on return; the returned
// slices and maps are never mutated after being built.
func (m *Membership) current() ([]p2p.Member, map[common.Address]int, map[peer.ID]int) {
	v := m.r.Version() // before reading the set: a racing change only causes a rebuild
	m.mu.RLock()
	if m.built && m.version == v {
		defer m.mu.RUnlock()
		return m.members, m.byID, m.byPeer
	}
	m.mu.RUnlock()
	nodes := m.r.Active()
	members := make([]p2p.Member, len(nodes))
	byID := make(map[common.Address]int, len(nodes))
	byPeer := make(map[peer.ID]int, len(nodes))
	for i, n := range nodes {
		members[i] = ToMember(n)
		byID[n.ID], byPeer[n.PeerID] = i, i
	}
	m.mu.Lock()
	m.members, m.byID, m.byPeer, m.version, m.built = members, byID, byPeer, v, true
	m.mu.Unlock()
	return members, byID, byPeer
}

func (m *Membership) ByPeer(p peer.ID) (p2p.Member, bool) {
	members, _, byPeer := m.current()
	i, ok := byPeer[p]
	if !ok {
		return p2p.Member{}, false
	}
	return members[i], true
}

func (m *Membership) ByID(id common.Address) (p2p.Member, bool) {
	members, byID, _ := m.current()
	i, ok := byID[id]
	if !ok {
		return p2p.Member{}, false
	}
	return members[i], true
}

func (m *Membership) Members() []p2p.Member {
	members, _, _ := m.current()
	return slices.Clone(members)
}

func (m *Membership) Watch() ([]p2p.Member, <-chan p2p.MemberChange, func()) {
	nodes, sub := m.r.Subscribe()
	members := make([]p2p.Member, len(nodes))
	for i, n := range nodes {
		members[i] = ToMember(n)
	}
	out := make(chan p2p.MemberChange, 64)
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
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
		<-exited
	}
	return members, out, stop
}
