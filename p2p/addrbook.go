package p2p

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// AddrEntry is where a registered node said it can be reached.
type AddrEntry struct {
	PeerID  peer.ID
	NodeID  common.Address
	Addrs   []ma.Multiaddr
	Version string
	// Seen is the timestamp of the heartbeat that carried the entry.
	Seen time.Time
}

// AddrBook keeps the newest heartbeat of each peer and forgets peers that have
// been silent for longer than the expiry.
type AddrBook struct {
	expiry time.Duration
	now    func() time.Time
	mu     sync.RWMutex
	m      map[peer.ID]AddrEntry
}

// NewAddrBook returns an empty book whose entries expire after expiry.
func NewAddrBook(expiry time.Duration) *AddrBook {
	return &AddrBook{expiry: expiry, now: time.Now, m: map[peer.ID]AddrEntry{}}
}

// SetExpiry changes how long a silent entry is kept (the heartbeat interval
// grows with the network, and the expiry with it).
func (b *AddrBook) SetExpiry(d time.Duration) {
	b.mu.Lock()
	b.expiry = d
	b.mu.Unlock()
}

// Expiry is how long a silent entry is kept.
func (b *AddrBook) Expiry() time.Duration {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.expiry
}

// Put keeps e if it is newer than what the book has; it reports whether it did.
func (b *AddrBook) Put(e AddrEntry) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.m[e.PeerID]; ok && !e.Seen.After(old.Seen) {
		return false
	}
	e.Addrs = slices.Clone(e.Addrs)
	b.m[e.PeerID] = e
	return true
}

// Get returns a peer's entry if it has not expired.
func (b *AddrBook) Get(p peer.ID) (AddrEntry, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	e, ok := b.m[p]
	if !ok || b.now().Sub(e.Seen) > b.expiry {
		return AddrEntry{}, false
	}
	return e, true
}

// Remove forgets a peer.
func (b *AddrBook) Remove(p peer.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, p)
}

// All lists the unexpired entries.
func (b *AddrBook) All() []AddrEntry {
	b.mu.RLock()
	defer b.mu.RUnlock()
	now := b.now()
	out := make([]AddrEntry, 0, len(b.m))
	for _, e := range b.m {
		if now.Sub(e.Seen) <= b.expiry {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b AddrEntry) int { return a.NodeID.Cmp(b.NodeID) })
	return out
}

// Len is the number of entries, expired ones not yet swept included.
func (b *AddrBook) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.m)
}

// Expire drops entries silent for longer than the expiry and returns how many.
func (b *AddrBook) Expire() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	now, n := b.now(), 0
	for p, e := range b.m {
		if now.Sub(e.Seen) > b.expiry {
			delete(b.m, p)
			n++
		}
	}
	return n
}

func (b *AddrBook) expiryLoop(ctx context.Context, m *metrics) func() {
	return func() {
		t := time.NewTicker(max(b.Expiry()/4, 50*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n := b.Expire(); n > 0 {
					m.addrExpired.Add(float64(n))
				}
				m.addrBook.Set(float64(b.Len()))
			}
		}
	}
}

func randFloat() float64 { return rand.Float64() }
