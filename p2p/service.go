package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// banFor is how long a peer dropped by the handshake is refused: a peer of
// another network for a minute; one whose handshake merely failed (timeout,
// stream error, a node still starting) only briefly.
var banFor = map[string]time.Duration{"mismatch": time.Minute, "invalid": time.Minute, "error": 5 * time.Second, "timeout": 5 * time.Second}

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

	// pending bounds unauthenticated inbound connections (p2p/accept.go).
	pending *pendingConns

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
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

	mu     sync.Mutex
	peers  map[peer.ID]*peerState
	banned map[peer.ID]time.Time
	subs   map[*Subscription]struct{}
	// closing is set under mu when Close begins; no goroutine starts after.
	closing bool

	startOnce, closeOnce sync.Once
	closeErr             error
}

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

func (s *Service) registered(p peer.ID) bool {
	_, ok := s.members.ByPeer(p)
	return ok
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

// Start begins discovery, heartbeats and membership following.
func (s *Service) Start() error {
	var err error
	s.startOnce.Do(func() {
		if s.ctx.Err() != nil {
			err = errors.New("p2p service closed")
			return
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
		for _, t := range s.topics {
			_ = t.Close()
		}
		s.closeErr = errors.Join(s.kad.Close(), s.closeHost(), s.cm.Close())
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

// ---------------------------------------------------------------- gating

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

// dropPeer disconnects a peer for a reason and refuses it for banFor; attrs
// are more log fields (which status field differs, for a mismatch).
func (s *Service) dropPeer(p peer.ID, why, result string, attrs ...any) {
	s.mu.Lock()
	s.banned[p] = time.Now().Add(banFor[result])
	delete(s.peers, p)
	s.mu.Unlock()
	s.m.handshakes.WithLabelValues(result).Inc()
	s.log.Info("dropped peer", append([]any{"peer", p, "reason", why, "result", result}, attrs...)...)
	_ = s.host.Network().ClosePeer(p)
}

func (s *Service) handshakeDone(p peer.ID, st Status) {
	s.mu.Lock()
	ps, ok := s.peers[p]
	if !ok {
		ps = &peerState{since: time.Now()}
		s.peers[p] = ps
	}
	first := !ps.handshaked
	ps.handshaked, ps.status = true, st
	s.mu.Unlock()
	if first {
		s.m.handshakes.WithLabelValues("ok").Inc()
		s.log.Debug("peer handshaked", "peer", p, "version", st.Version)
	}
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
	s.goLoop(func() {
		if c.Stat().Direction == network.DirOutbound {
			// Never dial for it: a connection that closed before the handshake
			// (a probe's, one the manager trimmed) is not reopened by it.
			s.handshake(network.WithNoDial(s.ctx, "status handshake"), p)
			return
		}
		// The dialer speaks first; an inbound peer that never does is dropped.
		// The timer is this connection's: if the peer has since disconnected
		// and come back, the entry is another one, with a timer of its own.
		select {
		case <-s.ctx.Done():
		case <-time.After(s.cfg.HandshakeTimeout + time.Second):
			s.mu.Lock()
			cur, ok := s.peers[p]
			mine := ok && cur == st
			done := mine && st.handshaked
			s.mu.Unlock()
			if mine && !done && s.host.Network().Connectedness(p) == network.Connected {
				if m := s.otherNetwork(p); m != nil {
					s.dropPeer(p, "other network", "mismatch", m.attrs()...)
				} else {
					s.dropPeer(p, "no handshake", "timeout")
				}
			}
		}
	})
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

// ---------------------------------------------------------------- membership

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

// ---------------------------------------------------------------- discovery

func (s *Service) kickDiscovery() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

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

func (s *Service) dialMember(m Member) {
	addrs := s.knownAddrs(m)
	if len(addrs) > 0 && s.dial(peer.AddrInfo{ID: m.PeerID, Addrs: addrs}, "registry") {
		return
	}
	// Registry addresses stale or missing: ask the DHT where the peer is now.
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

// ---------------------------------------------------------------- idle

// idleLoop closes connections that have carried no stream for IdleTimeout.
// Gossiping peers always hold a pubsub stream, so in practice this closes
// connections of peers that never joined gossip.
func (s *Service) idleLoop() {
	every := max(s.cfg.IdleTimeout/4, 100*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	idleSince := map[string]time.Time{}
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			seen := map[string]bool{}
			for _, c := range s.host.Network().Conns() {
				id := c.ID()
				seen[id] = true
				if len(c.GetStreams()) > 0 {
					delete(idleSince, id)
					continue
				}
				since, ok := idleSince[id]
				if !ok {
					idleSince[id] = now
					continue
				}
				if now.Sub(since) >= s.cfg.IdleTimeout {
					s.m.idleClosed.Inc()
					_ = c.Close()
					delete(idleSince, id)
				}
			}
			for id := range idleSince {
				if !seen[id] {
					delete(idleSince, id)
				}
			}
		}
	}
}

// RestoreAddrs seeds the address book and peerstore with entries persisted
// before a restart; entries older than the expiry are ignored by the book.
func (s *Service) RestoreAddrs(entries []AddrEntry) {
	for _, e := range entries {
		if s.book.Put(e) {
			s.host.Peerstore().AddAddrs(e.PeerID, e.Addrs, s.book.Expiry())
		}
	}
	s.m.addrBook.Set(float64(s.book.Len()))
}
