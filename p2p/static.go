package p2p

import (
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
)

// StaticMembership is an in-memory Membership: a fixed or hand-edited set of
// members. Tests, benchmarks and tools use it where no registry is needed.
type StaticMembership struct {
	mu       sync.RWMutex
	byID     map[common.Address]Member
	byPeer   map[peer.ID]common.Address
	watchers map[chan MemberChange]struct{}
}

var _ Membership = (*StaticMembership)(nil)

// NewStaticMembership returns a membership holding members.
func NewStaticMembership(members ...Member) *StaticMembership {
	s := &StaticMembership{byID: map[common.Address]Member{}, byPeer: map[peer.ID]common.Address{}, watchers: map[chan MemberChange]struct{}{}}
	for _, m := range members {
		s.Put(m)
	}
	return s
}

// Put adds or replaces a member and notifies watchers. A member without
// PubKey gets the one MemberKey derives from its PeerID (none if that fails),
// once, here.
func (s *StaticMembership) Put(m Member) {
	if m.PubKey == nil {
		m.PubKey, _ = MemberKey(m.ID, m.PeerID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kind := Joined
	if old, ok := s.byID[m.ID]; ok {
		kind = Updated
		delete(s.byPeer, old.PeerID)
	}
	s.byID[m.ID] = m
	s.byPeer[m.PeerID] = m.ID
	s.notifyLocked(MemberChange{Kind: kind, Member: m})
}

// Remove drops a member and notifies watchers.
func (s *StaticMembership) Remove(id common.Address) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.byID[id]
	if !ok {
		return
	}
	delete(s.byID, id)
	delete(s.byPeer, m.PeerID)
	s.notifyLocked(MemberChange{Kind: Left, Member: m})
}

func (s *StaticMembership) notifyLocked(c MemberChange) {
	for ch := range s.watchers {
		select {
		case ch <- c:
		default:
			// A watcher this far behind is cut off; it sees the channel close.
			delete(s.watchers, ch)
			close(ch)
		}
	}
}

func (s *StaticMembership) ByPeer(p peer.ID) (Member, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byPeer[p]
	if !ok {
		return Member{}, false
	}
	return s.byID[id], true
}

func (s *StaticMembership) ByID(id common.Address) (Member, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.byID[id]
	return m, ok
}

func (s *StaticMembership) Members() []Member {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.membersLocked()
}

func (s *StaticMembership) membersLocked() []Member {
	out := make([]Member, 0, len(s.byID))
	for _, m := range s.byID {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Member) int { return a.ID.Cmp(b.ID) })
	return out
}

// Watch starts no goroutine: Put and Remove send the changes, so stop, which
// closes the channel under the lock they send under, has nothing to wait for.
func (s *StaticMembership) Watch() ([]Member, <-chan MemberChange, func()) {
	ch := make(chan MemberChange, 1024)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers[ch] = struct{}{}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if _, ok := s.watchers[ch]; ok {
				delete(s.watchers, ch)
				close(ch)
			}
		})
	}
	return s.membersLocked(), ch, stop
}
