package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Service is the validator network of one node (seed 000's NetworkService):
// Publish, Subscribe, PeerCount and Peers over a registry-gated libp2p host.
type Service struct {
	id      Identity
	members Membership
	cfg     Config
	log     *slog.Logger
	m       *metrics

	host   host.Host
	nf     *notifiee
	cm     *connmgr.BasicConnMgr
	kad    *dht.IpfsDHT
	ps     *pubsub.PubSub
	gt     *gossipTracer // gossip drops and outbound queues (p2p/tracer.go)
	sc     *scoring      // gossipsub score visibility (p2p/score.go)
	lim    *peerLimiter
	val    *Validator
	book   *AddrBook
	topics map[string]*joinedTopic
	boot   []peer.AddrInfo

	// found holds the addresses mDNS and discv5 proposed (p2p/proposals.go);
	// mdns runs when Config.MDNS is set (p2p/mdns.go).
	found proposals
	mdns  mdns.Service
	// disc runs when Config.Discv5 is set (p2p/discv5.go).
	disc *discv5

	// pending bounds unauthenticated inbound connections (p2p/accept.go).
	pending *pendingConns

	ctx    context.Context
	cancel context.CancelFunc
	// wg counts the goroutines goLoop started; Close waits for them.
	wg sync.WaitGroup
	// kick asks for a discovery round now (p2p/discovery.go); hbKick for a
	// heartbeat (p2p/gossip.go).
	kick   chan struct{}
	hbKick chan struct{}
	// servesPing: the service registered the ping handler on an injected host.
	servesPing bool
	// probeCursor: the node ID the last probe round's dials stopped at
	// (p2p/prober.go); only the prober loop touches it.
	probeCursor common.Address
	// missed counts pings missed in a row per connected peer (p2p/prober.go);
	// guarded by mu.
	missed map[peer.ID]int

	mu sync.Mutex
	// peers is the peer table (p2p/conns.go).
	peers map[peer.ID]*peerState
	// banned: peers the handshake dropped, refused by the gate until then
	// (p2p/gater.go).
	banned map[peer.ID]time.Time
	subs   map[*Subscription]struct{}
	// closing is set under mu when Close begins; no goroutine starts after.
	closing bool

	startOnce, closeOnce sync.Once
	closeErr             error
}

// New builds the network service of the node with identity id. Call Start to
// begin discovery and gossip, and Close to stop.
func New(id Identity, members Membership, cfg Config) (*Service, error) {
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("p2p config: %w", err)
	}
	val, err := NewValidator(members, cfg.Validation)
	if err != nil {
		return nil, fmt.Errorf("p2p config: %w", err)
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	boot, err := parseAddrInfos(cfg.BootstrapPeers)
	if err != nil {
		return nil, fmt.Errorf("bootstrap_peers: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		id: id, members: members, cfg: cfg, log: cfg.Logger.With("network", cfg.Network), m: m, val: val,
		topics: map[string]*joinedTopic{}, boot: boot, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), hbKick: make(chan struct{}, 1),
		peers: map[peer.ID]*peerState{}, banned: map[peer.ID]time.Time{}, subs: map[*Subscription]struct{}{}, missed: map[peer.ID]int{},
	}
	s.book = NewAddrBook(cfg.AddrExpiry)
	s.pending = newPendingConns(maxPendingPerIP, maxPendingTotal, pendingDeadline, m.unauthRefused, m.unauthPending)
	if err := s.buildHost(); err != nil {
		cancel()
		return nil, err
	}
	// The host listens from here on: answer the handshake at once, or a peer
	// dialling in now would drop us for not speaking it.
	s.statusRR().Serve(s.host, s.serveStatus)
	s.nf = &notifiee{s}
	s.host.Network().Notify(s.nf)
	if err := s.buildDHT(); err != nil {
		s.closeHost()
		cancel()
		return nil, err
	}
	if err := s.buildGossip(); err != nil {
		s.kad.Close()
		s.closeHost()
		cancel()
		return nil, err
	}
	return s, nil
}

func (s *Service) buildHost() error {
	if s.cfg.Host == nil {
		if err := checkPorts(s.cfg.ListenAddrs); err != nil {
			return err
		}
	}
	cm, err := connmgr.NewConnManager(min(s.cfg.TargetPeers, s.cfg.MaxConnections-1), s.cfg.MaxConnections, connmgr.WithGracePeriod(30*time.Second))
	if err != nil {
		return fmt.Errorf("connection manager: %w", err)
	}
	s.cm = cm
	if s.cfg.Host != nil {
		// An injected host (Config.Host: the simulator, tests): the connection
		// manager learns its connections from notifications; the gate runs in
		// the notifiee's Connected.
		s.host = s.cfg.Host
		s.host.Network().Notify(cm.Notifee())
		// The prober's pings need an answer: the daemon's host answers them
		// (libp2p.Ping), an injected one (mocknet's) may not, and every probe
		// of it would be a miss.
		if !slices.Contains(s.host.Mux().Protocols(), ping.ID) {
			ping.NewPingService(s.host)
			s.servesPing = true
		}
		return nil
	}
	limits := rcmgr.DefaultLimits.AutoScale().ToPartialLimitConfig()
	// Established connections: MaxConnections with headroom for the trimmer.
	// Connections still in the security handshake (the transient scope) add
	// at most maxPendingTotal inbound (the gate bounds them, p2p/accept.go), so
	// the system and transient limits leave that much room on top: a flood of
	// unauthenticated connections can then never take the slot a registered
	// peer's connection, in or out, needs.
	established := s.cfg.MaxConnections + s.cfg.MaxConnections/4 + 4
	conns := rcmgr.LimitVal(established + maxPendingTotal)
	limits.System.Conns, limits.System.ConnsInbound, limits.System.ConnsOutbound = conns, conns, conns
	limits.Transient.Conns, limits.Transient.ConnsInbound, limits.Transient.ConnsOutbound = conns, conns, conns
	limits.PeerDefault.Conns, limits.PeerDefault.ConnsInbound = 8, 4
	// libp2p's own per-address limit (8 connections of any kind per IPv4
	// address) would refuse the ninth registered validator behind one NAT;
	// the gate's limit on handshakes in flight per address replaces it.
	perAddr := int(conns)
	rm, err := newResourceManager(s.m.unauthRefused.WithLabelValues("rate").Inc, rcmgr.NewFixedLimiter(limits.Build(rcmgr.DefaultLimits.AutoScale())),
		rcmgr.WithLimitPerSubnet(
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 32, ConnCount: perAddr}},
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 56, ConnCount: perAddr}}))
	if err != nil {
		return fmt.Errorf("resource manager: %w", err)
	}
	var external []ma.Multiaddr
	for _, a := range s.cfg.ExternalAddrs {
		external = append(external, ma.StringCast(a))
	}
	h, err := libp2p.New(
		libp2p.Identity(s.id.Priv),
		libp2p.ListenAddrStrings(s.cfg.ListenAddrs...),
		libp2p.Transport(libp2pquic.NewTransport),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ConnectionGater(&gater{s}),
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
		libp2p.Ping(true),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.UserAgent("validator/"+s.cfg.Version),
		libp2p.AddrsFactory(func(addrs []ma.Multiaddr) []ma.Multiaddr {
			out := slices.Clone(external)
			for _, a := range addrs {
				if !slices.ContainsFunc(out, a.Equal) {
					out = append(out, a)
				}
			}
			return out
		}),
	)
	if err != nil {
		rm.Close()
		return fmt.Errorf("libp2p host: %w", err)
	}
	s.host = h
	return nil
}

// Start begins discovery, heartbeats and membership following.
func (s *Service) Start() error {
	var err error
	s.startOnce.Do(func() {
		if s.ctx.Err() != nil {
			err = errors.New("p2p service closed")
			return
		}
		if s.cfg.MDNS {
			if err = s.startMDNS(); err != nil {
				return
			}
		}
		if s.cfg.Discv5 {
			if err = s.startDiscv5(); err != nil {
				return
			}
		}
		members, changes, stop := s.members.Watch()
		_ = members
		s.goLoop(func() { s.watchMembers(changes, stop) })
		s.goLoop(s.discoveryLoop)
		s.goLoop(s.heartbeatLoop)
		s.goLoop(s.idleLoop)
		s.goLoop(s.proberLoop)
		s.goLoop(s.book.expiryLoop(s.ctx, s.m))
		s.log.Info("p2p listening", "peer_id", s.id.PeerID, "addrs", s.host.Addrs())
	})
	return err
}

// goLoop runs f in a goroutine Close waits for; after Close has begun it does
// nothing (a WaitGroup must not grow from zero while Close waits on it).
func (s *Service) goLoop(f func()) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// Close stops the service and its host. It is idempotent and waits for every
// goroutine the service started.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.mu.Lock()
		s.closing = true
		for sub := range s.subs {
			sub.cancel()
		}
		s.mu.Unlock()
		s.wg.Wait()
		if s.mdns != nil {
			_ = s.mdns.Close()
		}
		if s.disc != nil {
			s.disc.close()
		}
		for _, t := range s.topics {
			_ = t.Close()
		}
		s.closeErr = errors.Join(s.kad.Close(), s.closeHost(), s.cm.Close())
		s.pending.close()
	})
	return s.closeErr
}

// closeHost closes the host the service built, or detaches the service from
// an injected one (Config.Host), which its owner closes.
func (s *Service) closeHost() error {
	if s.cfg.Host == nil {
		return s.host.Close()
	}
	s.host.Network().StopNotify(s.nf)
	s.host.Network().StopNotify(s.cm.Notifee())
	s.host.RemoveStreamHandler(s.statusRR().ID)
	if s.servesPing {
		s.host.RemoveStreamHandler(ping.ID)
	}
	return nil
}

// Host is the libp2p host (for tests and tools).
func (s *Service) Host() host.Host { return s.host }

// ID is this node's identity.
func (s *Service) ID() Identity { return s.id }

// Addrs are this node's dialable addresses, with /p2p/<id>.
func (s *Service) Addrs() []ma.Multiaddr {
	ai := peer.AddrInfo{ID: s.host.ID(), Addrs: s.host.Addrs()}
	out, _ := peer.AddrInfoToP2pAddrs(&ai)
	return out
}

// AddrBook is the heartbeat-fed address book.
func (s *Service) AddrBook() *AddrBook { return s.book }

// PeerInfo describes a connected peer.
type PeerInfo struct {
	PeerID     peer.ID
	NodeID     common.Address
	Registered bool
	Handshaked bool
	Direction  string
	Addrs      []ma.Multiaddr
	Since      time.Time
	Version    string
	// Latency is libp2p's moving average of the peer's RTT (0 if unknown).
	Latency time.Duration
}

// Peers lists connected peers.
func (s *Service) Peers() []PeerInfo {
	var out []PeerInfo
	for _, p := range s.host.Network().Peers() {
		pi := PeerInfo{PeerID: p, Latency: s.host.Peerstore().LatencyEWMA(p)}
		if m, ok := s.members.ByPeer(p); ok {
			pi.NodeID, pi.Registered = m.ID, true
		}
		for _, c := range s.host.Network().ConnsToPeer(p) {
			pi.Addrs = append(pi.Addrs, c.RemoteMultiaddr())
		}
		s.mu.Lock()
		if st, ok := s.peers[p]; ok {
			pi.Handshaked, pi.Since, pi.Direction, pi.Version = st.handshaked, st.since, st.dir.String(), st.status.Version
		}
		s.mu.Unlock()
		out = append(out, pi)
	}
	slices.SortFunc(out, func(a, b PeerInfo) int { return a.NodeID.Cmp(b.NodeID) })
	return out
}

// PeerCount is the number of connected registered peers.
func (s *Service) PeerCount() int {
	n := 0
	for _, p := range s.host.Network().Peers() {
		if s.registered(p) {
			n++
		}
	}
	return n
}

// TagPeer sets a peer's value for the connection manager (0..100, higher is
// kept longer); reputation feeds it.
func (s *Service) TagPeer(p peer.ID, value int) {
	s.cm.TagPeer(p, "reputation", value)
}
