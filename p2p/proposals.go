package p2p

import (
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Proposed addresses: the local-network and discv5 sources (p2p/mdns.go,
// p2p/discv5.go) only propose where a peer may be. A proposal for a peer that
// is not an active registered node is counted and dropped before anything
// dials it; one for a member is kept (for AddrExpiry) and tried by discovery
// after the member's known addresses, and every connection it leads to still
// passes the gate (p2p/gater.go) and the status handshake.

type proposal struct {
	addrs  []ma.Multiaddr
	source string
	at     time.Time
}

type proposals struct {
	mu sync.Mutex
	m  map[peer.ID]proposal
}

// propose takes addresses for ai.ID from source. It reports whether it kept
// them: never for this node, an unregistered peer or one without addresses.
func (s *Service) propose(source string, ai peer.AddrInfo) bool {
	switch {
	case ai.ID == s.id.PeerID:
		return false
	case !s.registered(ai.ID):
		s.m.skipped.WithLabelValues(source, "unregistered").Inc()
		s.log.Debug("discovered peer is not registered, not dialled", "peer", ai.ID, "source", source)
		return false
	case len(ai.Addrs) == 0:
		return false
	}
	s.found.mu.Lock()
	if s.found.m == nil {
		s.found.m = map[peer.ID]proposal{}
	}
	s.found.m[ai.ID] = proposal{addrs: slices.Clone(ai.Addrs), source: source, at: time.Now()}
	s.found.mu.Unlock()
	if s.host.Network().Connectedness(ai.ID) != network.Connected {
		s.kickDiscovery()
	}
	return true
}

// proposed is the latest unexpired proposal for p.
func (s *Service) proposed(p peer.ID) (proposal, bool) {
	s.found.mu.Lock()
	defer s.found.mu.Unlock()
	pr, ok := s.found.m[p]
	if ok && time.Since(pr.at) > s.cfg.AddrExpiry {
		delete(s.found.m, p)
		return proposal{}, false
	}
	return pr, ok
}

// forgetProposed drops what was proposed for p (it left the registry).
func (s *Service) forgetProposed(p peer.ID) {
	s.found.mu.Lock()
	delete(s.found.m, p)
	s.found.mu.Unlock()
}
