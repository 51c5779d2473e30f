package p2p

import (
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Who may connect: the connection gate, the ban list the handshake fills
// (dropPeer, p2p/handshake.go), and the membership follower that disconnects
// nodes that leave the registry. The gate asks Membership on every
// connection, so a newly registered node is admitted with no restart.

// gater admits, inbound and outbound, only peers whose ID belongs to an active
// registered node (and not recently dropped by the handshake).
type gater struct{ s *Service }

func (g *gater) allowed(p peer.ID, dir string) bool {
	s := g.s
	if p == s.id.PeerID {
		return false
	}
	s.mu.Lock()
	until, banned := s.banned[p]
	if banned && time.Now().After(until) {
		delete(s.banned, p)
		banned = false
	}
	s.mu.Unlock()
	if banned || !s.registered(p) {
		s.m.gated.WithLabelValues(dir).Inc()
		return false
	}
	return true
}

func (g *gater) InterceptPeerDial(p peer.ID) bool                                { return g.allowed(p, "outbound") }
func (g *gater) InterceptAddrDial(peer.ID, ma.Multiaddr) bool                    { return true }
func (g *gater) InterceptAccept(c network.ConnMultiaddrs) bool                   { return g.s.pending.accept(c) }
func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
func (g *gater) InterceptSecured(d network.Direction, p peer.ID, c network.ConnMultiaddrs) bool {
	if d == network.DirInbound {
		g.s.pending.secured(c)
		return g.allowed(p, "inbound")
	}
	return g.allowed(p, "outbound")
}

// registered says whether p is an active member.
func (s *Service) registered(p peer.ID) bool {
	_, ok := s.members.ByPeer(p)
	return ok
}

// isBanned says whether p is refused for now after a failed handshake.
func (s *Service) isBanned(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.banned[p]
	return ok && time.Now().Before(until)
}

// watchMembers follows membership changes until the service closes: a node
// that left is disconnected and forgotten, one that joined or moved kicks
// discovery. It renews the watch when the source cuts it off.
func (s *Service) watchMembers(changes <-chan MemberChange, stop func()) {
	defer func() { stop() }() // stop is replaced when the watch is renewed
	for {
		select {
		case <-s.ctx.Done():
			return
		case c, ok := <-changes:
			if !ok {
				// The source cut us off; resubscribe and reconcile.
				var members []Member
				members, changes, stop = s.members.Watch()
				s.reconcile(members)
				continue
			}
			switch c.Kind {
			case Left:
				if s.host.Network().Connectedness(c.Member.PeerID) == network.Connected {
					s.log.Info("disconnecting peer that left the registry", "peer", c.Member.PeerID, "node", c.Member.ID)
					_ = s.host.Network().ClosePeer(c.Member.PeerID)
				}
				s.host.Peerstore().ClearAddrs(c.Member.PeerID)
				s.book.Remove(c.Member.PeerID)
				s.forgetProposed(c.Member.PeerID)
			case Joined, Updated:
				s.kickDiscovery()
			}
		}
	}
}

// reconcile disconnects connected peers that are no longer members.
func (s *Service) reconcile(members []Member) {
	active := map[peer.ID]bool{}
	for _, m := range members {
		active[m.PeerID] = true
	}
	for _, p := range s.host.Network().Peers() {
		if !active[p] {
			_ = s.host.Network().ClosePeer(p)
		}
	}
	s.kickDiscovery()
}
