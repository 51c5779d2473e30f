package p2p

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
)

// Discovery keeps this node connected to TargetPeers registered peers, from
// five sources: static bootstrap_peers, the registry's multiaddrs (with the
// address book's newer ones first), the addresses mDNS and discv5 proposed
// for registered peers (p2p/proposals.go; both off by default), and the
// Kademlia DHT for peers whose known addresses fail. It runs every DiscoveryInterval and at once when
// membership changes or a peer disconnects (kickDiscovery). Its dials bypass
// libp2p's dial backoff; the interval paces them.

// parseAddrInfos parses bootstrap_peers; each needs /p2p/<peer ID>.
func parseAddrInfos(addrs []string) ([]peer.AddrInfo, error) {
	var out []peer.AddrInfo
	for _, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", a, err)
		}
		ai, err := peer.AddrInfoFromP2pAddr(m)
		if err != nil {
			return nil, fmt.Errorf("%q: %w (a bootstrap peer needs /p2p/<peer ID>)", a, err)
		}
		out = append(out, *ai)
	}
	return out, nil
}

// noDialHost is the host the DHT sees: its streams never dial. The DHT dials
// the peers a query needs explicitly (Connect) before it writes to them; what
// this stops is its message sender reopening a connection that was just
// closed (a probe's, one the manager trimmed) to finish a routing-table check:
// in the simulator each such close came back as a new connection, and the
// closes and redials fed each other (44,000 connections in 49 s among 40
// nodes, against 1,600 without).
type noDialHost struct{ host.Host }

func (h noDialHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	return h.Host.NewStream(network.WithNoDial(ctx, "dht"), p, pids...)
}

// buildDHT builds the Kademlia DHT: server mode under /validator/<network>,
// registered peers only, no providers or values.
func (s *Service) buildDHT() error {
	opts := []dht.Option{
		dht.Mode(dht.ModeServer),
		dht.ProtocolPrefix(protocol.ID("/validator/" + s.cfg.Network)),
		dht.RoutingTableFilter(func(_ any, p peer.ID) bool { return s.registered(p) }),
		dht.QueryFilter(func(_ any, ai peer.AddrInfo) bool { return s.registered(ai.ID) }),
		dht.DisableProviders(),
		dht.DisableValues(),
		dht.BootstrapPeersFunc(s.dhtBootstrap),
	}
	if s.cfg.DHTRefresh < 0 {
		// No refresh walk: the routing table fills from the connections the
		// node makes anyway (the simulator, docs/architecture.md).
		opts = append(opts, dht.DisableAutoRefresh())
	} else {
		opts = append(opts, dht.RoutingTableRefreshPeriod(s.cfg.DHTRefresh))
	}
	kad, err := dht.New(noDialHost{s.host}, opts...)
	if err != nil {
		return fmt.Errorf("dht: %w", err)
	}
	s.kad = kad
	return nil
}

// dhtBootstrap offers the DHT the registered peers we are connected to.
func (s *Service) dhtBootstrap() []peer.AddrInfo {
	var out []peer.AddrInfo
	for _, p := range s.host.Network().Peers() {
		if s.registered(p) {
			out = append(out, s.host.Peerstore().PeerInfo(p))
		}
	}
	return out
}

// kickDiscovery asks for a discovery round now; it never blocks.
func (s *Service) kickDiscovery() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// discoveryLoop dials the bootstrap peers, then tops connections up each
// DiscoveryInterval or when kicked, until the service closes.
func (s *Service) discoveryLoop() {
	s.dialBootstrap()
	t := time.NewTicker(s.cfg.DiscoveryInterval)
	defer t.Stop()
	for {
		s.discover()
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// dialBootstrap dials the registered bootstrap peers, each in a goroutine the
// service owns.
func (s *Service) dialBootstrap() {
	for _, ai := range s.boot {
		if ai.ID == s.id.PeerID || !s.registered(ai.ID) {
			continue
		}
		ai := ai
		s.goLoop(func() { s.dial(ai, "bootstrap") })
	}
}

// discover tops connections up to the target from registry addresses, the
// address book and, for peers those fail for, the DHT.
func (s *Service) discover() {
	connected := 0
	for _, p := range s.host.Network().Peers() {
		if s.registered(p) {
			connected++
		}
	}
	if connected == 0 && len(s.boot) > 0 {
		s.dialBootstrap()
	}
	need := s.cfg.TargetPeers - connected
	if need <= 0 {
		return
	}
	var candidates []Member
	for _, m := range s.members.Members() {
		if m.PeerID == s.id.PeerID || s.host.Network().Connectedness(m.PeerID) == network.Connected {
			continue
		}
		if !s.isBanned(m.PeerID) { // an expired ban no longer counts
			candidates = append(candidates, m)
		}
	}
	rand.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	if len(candidates) > need {
		candidates = candidates[:need]
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, m := range candidates {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s.dialMember(m)
		}()
	}
	wg.Wait()
}

// knownAddrs are where m may be reached: its latest heartbeat first, then the
// registry. The slice is new; neither source's is touched.
func (s *Service) knownAddrs(m Member) []ma.Multiaddr {
	var addrs []ma.Multiaddr
	if e, ok := s.book.Get(m.PeerID); ok {
		addrs = append(addrs, e.Addrs...)
	}
	return append(addrs, m.Addrs...)
}

// dialMember dials m at its known addresses, or where the DHT finds it.
func (s *Service) dialMember(m Member) {
	addrs := s.knownAddrs(m)
	if len(addrs) > 0 && s.dial(peer.AddrInfo{ID: m.PeerID, Addrs: addrs}, "registry") {
		return
	}
	// Then where mDNS or discv5 last saw it (p2p/proposals.go).
	if pr, ok := s.proposed(m.PeerID); ok && s.dial(peer.AddrInfo{ID: m.PeerID, Addrs: pr.addrs}, pr.source) {
		return
	}
	// Registry addresses stale or missing: ask the DHT where the peer is now.
	if s.cfg.noDHTLookup {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.DialTimeout)
	defer cancel()
	ai, err := s.kad.FindPeer(ctx, m.PeerID)
	if err != nil {
		s.m.dials.WithLabelValues("dht", "miss").Inc()
		return
	}
	s.dial(ai, "dht")
}

// dial connects to a registered peer. It bypasses libp2p's dial backoff, which
// grows to 5 minutes for peers that failed before: membership is a bounded,
// staked set and discovery paces its own dials (DiscoveryInterval), so a peer
// back from an outage or a healed partition is reached at the next round.
func (s *Service) dial(ai peer.AddrInfo, source string) bool {
	ctx, cancel := context.WithTimeout(network.WithForceDirectDial(s.ctx, "registered peer"), s.cfg.DialTimeout)
	defer cancel()
	s.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.TempAddrTTL)
	if err := s.host.Connect(ctx, ai); err != nil {
		s.m.dials.WithLabelValues(source, "failed").Inc()
		s.log.Debug("dial failed", "peer", ai.ID, "source", source, "err", err)
		return false
	}
	s.m.dials.WithLabelValues(source, "ok").Inc()
	return true
}
