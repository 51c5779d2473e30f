package p2p

import (
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
)

// The peer table: one entry per connected peer, opened on Connected (after the
// gate, for an injected host) and closed on Disconnected; the status handshake
// (p2p/handshake.go) marks it handshaked.

// peerState is what the service knows of a connected peer; guarded by
// Service.mu.
type peerState struct {
	since      time.Time
	dir        network.Direction
	handshaked bool
	status     Status
	// conn is the connection that opened this entry (nil if the handshake
	// created it). An entry outlives its connections until Disconnected runs,
	// which libp2p calls asynchronously: a new connection may come first.
	conn network.Conn
}

// stale says whether an entry belongs to connections that are all gone, so
// that c, a new connection, starts afresh: the peer restarted and its old
// connection's Disconnected has not run yet.
func (st *peerState) stale(c network.Conn, conns []network.Conn) bool {
	if st.conn != nil && !st.conn.IsClosed() {
		return false
	}
	for _, o := range conns {
		if o != c && !o.IsClosed() {
			return false
		}
	}
	return true
}

type notifiee struct{ s *Service }

func (n *notifiee) Listen(network.Network, ma.Multiaddr)      {}
func (n *notifiee) ListenClose(network.Network, ma.Multiaddr) {}

func (n *notifiee) Connected(_ network.Network, c network.Conn) {
	s, p := n.s, c.RemotePeer()
	if s.cfg.Host != nil {
		// An injected host has no gater of its own (Config.Host).
		dir := "inbound"
		if c.Stat().Direction == network.DirOutbound {
			dir = "outbound"
		}
		if !(&gater{s}).allowed(p, dir) {
			_ = c.Close()
			return
		}
	}
	conns := s.host.Network().ConnsToPeer(p)
	s.mu.Lock()
	st, known := s.peers[p]
	if known && st.stale(c, conns) {
		known = false
	}
	if !known {
		st = &peerState{since: time.Now(), dir: c.Stat().Direction, conn: c}
		s.peers[p] = st
	}
	s.mu.Unlock()
	s.m.peers.Set(float64(len(s.host.Network().Peers())))
	if known || s.ctx.Err() != nil {
		return
	}
	s.cm.TagPeer(p, "registered", 10)
	s.startHandshake(c, st)
}

func (n *notifiee) Disconnected(_ network.Network, c network.Conn) {
	s, p := n.s, c.RemotePeer()
	if s.host.Network().Connectedness(p) != network.Connected {
		s.mu.Lock()
		delete(s.peers, p)
		s.mu.Unlock()
		s.kickDiscovery()
	}
	s.m.peers.Set(float64(len(s.host.Network().Peers())))
}
