package p2p

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
)

// Observation is one liveness probe of a registered peer. p2p only reports
// what it saw; reputation/ decides what it means.
type Observation struct {
	PeerID peer.ID
	NodeID common.Address
	At     time.Time
	// RTT is set when the peer answered.
	RTT time.Duration
	// Miss: connected, but the ping failed or timed out.
	Miss bool
	// Unreachable: not connected, and a dial failed.
	Unreachable bool
}

// proberLoop probes registered peers each PingInterval (with jitter):
// every connected one over libp2p ping, and up to probeDialsPerRound
// unconnected ones, in turn, after a dial attempt.
func (s *Service) proberLoop() {
	if s.cfg.OnObservation == nil {
		return
	}
	t := time.NewTimer(s.jitter(s.cfg.PingInterval))
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.probeAll()
			t.Reset(s.jitter(s.cfg.PingInterval))
		}
	}
}

// jitter spreads d by ±10% so a network started at once does not probe in step.
func (s *Service) jitter(d time.Duration) time.Duration {
	return d*9/10 + time.Duration(float64(d/5)*randFloat())
}

// probeDialsPerRound bounds how many unconnected members one probe round
// dials. Probing every member from every node is quadratic in the network's
// size: at 1,000 nodes each would dial some 900 peers it is not connected to
// every round, far past max_connections. Connected peers are pinged every
// round; unconnected ones take turns (by node ID, from where the last round
// stopped), so each is still probed every ceil(unconnected/4) rounds by each
// node, and by about four nodes in every round network-wide (an offline
// member is still seen offline within a round or two). Each probe dial is a
// whole connection (transport and security handshakes, identify, the status
// handshake, gossip's hello), closed again after the probe: at 16 a round,
// 1,000 simulated nodes made 1,600 such connections a second.
const probeDialsPerRound = 4

func (s *Service) probeAll() {
	var targets, unconnected []Member
	for _, m := range s.members.Members() {
		switch {
		case m.PeerID == s.id.PeerID:
		case s.host.Network().Connectedness(m.PeerID) == network.Connected:
			targets = append(targets, m)
		default:
			unconnected = append(unconnected, m)
		}
	}
	var next []Member
	next, s.probeCursor = takeTurns(unconnected, s.probeCursor, probeDialsPerRound)
	targets = append(targets, next...)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, m := range targets {
		select {
		case sem <- struct{}{}:
		case <-s.ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if o, ok := s.probe(m); ok {
				s.m.observations.WithLabelValues(o.kind()).Inc()
				if o.RTT > 0 {
					s.m.rtt.Observe(o.RTT.Seconds())
				}
				s.cfg.OnObservation(o)
			}
		}()
	}
	wg.Wait()
}

// takeTurns returns up to k members in node-ID order, starting after cursor
// and wrapping around, and the cursor for the next call.
func takeTurns(ms []Member, cursor common.Address, k int) ([]Member, common.Address) {
	if len(ms) <= k {
		return ms, cursor
	}
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b Member) int { return a.ID.Cmp(b.ID) })
	start, _ := slices.BinarySearchFunc(ms, cursor, func(m Member, c common.Address) int {
		if m.ID.Cmp(c) <= 0 {
			return -1
		}
		return 1
	})
	out := make([]Member, 0, k)
	for i := range k {
		out = append(out, ms[(start+i)%len(ms)])
	}
	return out, out[k-1].ID
}

func (o Observation) kind() string {
	switch {
	case o.Unreachable:
		return "unreachable"
	case o.Miss:
		return "miss"
	default:
		return "answered"
	}
}

// probe pings one member. ok is false when no probe was made: the service is
// shutting down, this node refuses the peer itself (banned after a failed
// handshake), no address is known, or libp2p refused to dial. Only a dial
// or a ping that actually happened is evidence.
func (s *Service) probe(m Member) (Observation, bool) {
	o := Observation{PeerID: m.PeerID, NodeID: m.ID}
	if s.host.Network().Connectedness(m.PeerID) != network.Connected {
		// A connection made only for the probe is closed after it once this
		// node has its target of peers: kept, every node's probes would add
		// a connection per dial until the connection manager's grace period
		// ran out, and at 100 nodes the graph was nearly complete (each node
		// pinging, gossiping to and exchanging IHAVEs with ~80 peers).
		defer s.closeProbeConn(m.PeerID)
		if s.isBanned(m.PeerID) {
			s.sc.skipped.WithLabelValues(skipBanned).Inc()
			return o, false
		}
		err := s.dialForProbe(m)
		if s.ctx.Err() != nil {
			return o, false
		}
		if err != nil {
			if reason := probeSkipReason(err); reason != "" {
				s.sc.skipped.WithLabelValues(reason).Inc()
				s.log.Debug("probe skipped", "peer", m.PeerID, "reason", reason, "err", err)
				return o, false
			}
			o.At, o.Unreachable = time.Now(), true
			return o, true
		}
	}
	// The ping never dials: a connection that closed since is a miss, not a
	// new connection.
	ctx, cancel := context.WithTimeout(network.WithNoDial(s.ctx, "liveness ping"), s.cfg.PingTimeout)
	defer cancel()
	var res ping.Result
	select {
	case res = <-ping.Ping(ctx, s.host, m.PeerID):
	case <-ctx.Done():
		res.Error = ctx.Err()
	}
	if s.ctx.Err() != nil {
		return o, false
	}
	o.At = time.Now()
	if res.Error != nil || res.RTT <= 0 {
		o.Miss = true
		if res.Error == nil {
			res.Error = errors.New("no RTT")
		}
		s.log.Debug("ping missed", "peer", m.PeerID, "err", res.Error)
		s.missedPing(m.PeerID)
		return o, true
	}
	s.mu.Lock()
	delete(s.missed, m.PeerID)
	s.mu.Unlock()
	o.RTT = res.RTT
	return o, true
}

// missedPing counts a ping p missed on a live connection; at CloseAfterMisses
// in a row the connections are closed, so that the next probe dials afresh
// rather than waiting on a connection that went dead and its transport's
// retransmission backoff (after a partition heals, such a connection kept a
// peer offline for 6.5–13 s while fresh ones carried gossip within 2 s), and
// gossipsub stops queueing messages into it. The peer, if it was only frozen,
// may find these connections closed under it while new ones are up; its
// gossip then restarts (gossipStreamEnded, p2p/gossip.go) instead of losing
// our subscriptions, which is what made this close unsafe before.
func (s *Service) missedPing(p peer.ID) {
	s.mu.Lock()
	s.missed[p]++
	dead := s.missed[p] >= s.cfg.CloseAfterMisses
	if dead {
		delete(s.missed, p)
	}
	s.mu.Unlock()
	if dead {
		s.sc.unresponsive.Inc()
		s.log.Debug("closing the connections of an unresponsive peer", "peer", p, "missed_pings", s.cfg.CloseAfterMisses)
		_ = s.host.Network().ClosePeer(p)
	}
}

// closeProbeConn closes the connection a probe dialled when this node has
// its target of registered peers without it.
func (s *Service) closeProbeConn(p peer.ID) {
	if s.ctx.Err() != nil || s.host.Network().Connectedness(p) != network.Connected {
		return
	}
	if s.PeerCount() > s.cfg.TargetPeers {
		s.m.probeCloses.Inc()
		_ = s.host.Network().ClosePeer(p)
	}
}

// probeSkipReason says why a failed probe dial never reached the peer, or ""
// when it did try (refused, timed out, unreachable: evidence).
func probeSkipReason(err error) string {
	switch {
	case errors.Is(err, swarm.ErrNoAddresses), errors.Is(err, swarm.ErrNoGoodAddresses):
		return skipNoAddrs
	case errors.Is(err, swarm.ErrDialBackoff):
		return skipBackoff
	case errors.Is(err, swarm.ErrGaterDisallowedConnection):
		return skipGated
	}
	return ""
}

// dialForProbe dials m for a probe. It bypasses libp2p's dial backoff (the
// probe interval already paces it), so a peer that comes back is reached at
// the next probe, not minutes later when the backoff ends.
func (s *Service) dialForProbe(m Member) error {
	addrs := s.knownAddrs(m)
	if len(addrs) == 0 && len(s.host.Peerstore().Addrs(m.PeerID)) == 0 {
		return swarm.ErrNoAddresses
	}
	ctx, cancel := context.WithTimeout(network.WithForceDirectDial(s.ctx, "liveness probe"), min(s.cfg.DialTimeout, s.cfg.PingTimeout))
	defer cancel()
	return s.host.Connect(ctx, peer.AddrInfo{ID: m.PeerID, Addrs: addrs})
}
