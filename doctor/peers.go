package doctor

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/protocol/identify"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"

	"validator/api"
	"validator/chain"
	"validator/p2p"
)

// The peer checks dial every active registered peer from this process with
// the node key itself, once over QUIC and once over TCP, on hosts that have
// only that transport: the peers' gates admit only registered keys, so a
// throwaway key would prove nothing past the transport handshake. Each peer
// then sees a second, short connection from this node's peer ID next to the
// daemon's; libp2p allows that (docs/architecture.md, "validator doctor").

// maxParallelDials bounds the peers dialled at once.
const maxParallelDials = 8

// dialer is a host with one transport and the node key.
type dialer struct {
	transport string // "quic" or "tcp"
	h         host.Host
	ids       identify.IDService
	sub       event.Subscription
	done      chan struct{} // closed when the identify reader returns

	mu       sync.Mutex
	observed map[peer.ID]ma.Multiaddr // how each peer sees us (identify)
}

func newDialer(d *doctor, transport string) (*dialer, error) {
	opts := []libp2p.Option{
		libp2p.Identity(d.id.Priv), libp2p.NoListenAddrs, libp2p.Ping(true), libp2p.DisableRelay(),
		libp2p.ResourceManager(&network.NullResourceManager{}), libp2p.UserAgent("validator-doctor"),
	}
	if transport == "quic" {
		opts = append(opts, libp2p.Transport(libp2pquic.NewTransport))
	} else {
		opts = append(opts, libp2p.Transport(tcp.NewTCPTransport), libp2p.Security(noise.ID, noise.New), libp2p.Muxer(yamux.ID, yamux.DefaultTransport))
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("start a %s dialer: %w", transport, err)
	}
	dl := &dialer{transport: transport, h: h, observed: map[peer.ID]ma.Multiaddr{}, done: make(chan struct{})}
	if hi, ok := h.(interface{ IDService() identify.IDService }); ok {
		dl.ids = hi.IDService()
	}
	sub, err := h.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("subscribe to identify: %w", err)
	}
	dl.sub = sub
	go func() {
		defer close(dl.done)
		for e := range sub.Out() {
			ev := e.(event.EvtPeerIdentificationCompleted)
			if ev.ObservedAddr != nil {
				dl.mu.Lock()
				dl.observed[ev.Peer] = ev.ObservedAddr
				dl.mu.Unlock()
			}
		}
	}()
	return dl, nil
}

// close ends the identify reader (closing the subscription closes its
// channel) and the host.
func (dl *dialer) close() {
	dl.sub.Close()
	<-dl.done
	dl.h.Close()
}

// matches says whether a multiaddr is one this dialer's transport dials.
func (dl *dialer) matches(a ma.Multiaddr) bool {
	quic := false
	tcpish := false
	for _, c := range a {
		switch c.Protocol().Code {
		case ma.P_QUIC_V1:
			quic = true
		case ma.P_TCP:
			tcpish = true
		case ma.P_WS, ma.P_WSS, ma.P_WEBTRANSPORT, ma.P_CIRCUIT:
			return false
		}
	}
	if dl.transport == "quic" {
		return quic
	}
	return tcpish
}

// dialResult is one peer dialled over one transport.
type dialResult struct {
	skipped  bool // no address for the transport
	err      error
	stage    string // what failed: dial, handshake
	connect  time.Duration
	rtt      time.Duration
	theirs   p2p.Status
	mismatch string
	observed ma.Multiaddr
}

func (d *doctor) dial(ctx context.Context, dl *dialer, n chain.Node, addrs []ma.Multiaddr) dialResult {
	var mine []ma.Multiaddr
	for _, a := range addrs {
		if dl.matches(a) {
			mine = append(mine, a)
		}
	}
	if len(mine) == 0 {
		return dialResult{skipped: true}
	}
	defer dl.h.Network().ClosePeer(n.PeerID)
	cctx, cancel := d.timeout(ctx)
	defer cancel()
	start := time.Now()
	if err := dl.h.Connect(cctx, peer.AddrInfo{ID: n.PeerID, Addrs: mine}); err != nil {
		return dialResult{err: err, stage: "dial"}
	}
	res := dialResult{connect: time.Since(start)}
	ours := p2p.Status{Network: d.cfg.Network.Name, ChainID: d.cfg.Network.ChainID, Registry: d.cfg.Network.Registry, Version: "validator-doctor"}
	if d.status != nil {
		// What the daemon sends, so the peer's record of us stays the same.
		ours.RegistryBlock, ours.Version = d.status.Registry.Block, d.status.Version
	}
	req, err := rlp.EncodeToBytes(ours)
	if err != nil {
		return dialResult{err: err, stage: "handshake"}
	}
	rr := p2p.ReqResp{ID: p2p.StatusProtocol(d.cfg.Network.Name), MaxRequest: 512, MaxResponse: 512, Timeout: d.cfg.Timeout}
	resp, err := rr.Request(cctx, dl.h, n.PeerID, req)
	if err != nil {
		res.err, res.stage = err, "handshake"
		return res
	}
	if res.theirs, err = p2p.DecodeStatus(resp); err != nil {
		res.err, res.stage = err, "handshake"
		return res
	}
	switch t := res.theirs; {
	case t.Network != ours.Network:
		res.mismatch = fmt.Sprintf("network %q (ours %q)", t.Network, ours.Network)
	case t.ChainID != ours.ChainID:
		res.mismatch = fmt.Sprintf("chain ID %d (ours %d)", t.ChainID, ours.ChainID)
	case t.Registry != ours.Registry:
		res.mismatch = fmt.Sprintf("registry %s (ours %s)", t.Registry, ours.Registry)
	}
	pctx, pcancel := context.WithCancel(cctx)
	if r, ok := <-ping.Ping(pctx, dl.h, n.PeerID); ok && r.Error == nil {
		res.rtt = r.RTT
	}
	pcancel()
	if conns := dl.h.Network().ConnsToPeer(n.PeerID); len(conns) > 0 && dl.ids != nil {
		select {
		case <-dl.ids.IdentifyWait(conns[0]):
		case <-cctx.Done():
		}
	}
	dl.mu.Lock()
	res.observed = dl.observed[n.PeerID]
	dl.mu.Unlock()
	return res
}

// activePeers reads the registry's active nodes other than this one through
// a registry view, as the daemon does.
func (d *doctor) activePeers(ctx context.Context) ([]chain.Node, error) {
	r, err := chain.NewRegistry(d.backend, d.cfg.Network.Registry, chain.WithNetwork(d.cfg.Network), chain.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(rctx) }()
	defer func() { cancel(); <-done }()
	wctx, wcancel := context.WithTimeout(ctx, 3*d.cfg.Timeout)
	defer wcancel()
	if err := r.WaitSynced(wctx); err != nil {
		return nil, fmt.Errorf("sync the registry view: %w", err)
	}
	var out []chain.Node
	for _, n := range r.Active() {
		if n.ID != d.id.NodeID {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b chain.Node) int { return strings.Compare(a.ID.Hex(), b.ID.Hex()) })
	return out, nil
}

func (d *doctor) checkPeers(ctx context.Context) []Result {
	switch {
	case d.backend == nil || d.params == nil:
		return []Result{{Check: "peers", Status: Skip, Detail: "the registry cannot be read: see rpc, chain_id and registration"}}
	case d.self == nil || d.self.Status != chain.StatusActive:
		return []Result{{Check: "peers", Status: Skip, Detail: "this node is not active in the registry, so every peer's gate refuses it: see registration"}}
	case d.networkMismatch:
		// A status that disagrees makes each peer drop and ban this peer ID
		// for a minute, the running daemon's connections included.
		return []Result{{Check: "peers", Status: Skip, Detail: "the daemon runs another network or node key than this configuration (see node_network): a handshake with this configuration would make the peers drop and ban this node for a minute"}}
	}
	nodes, err := d.activePeers(ctx)
	if err != nil {
		return []Result{{Check: "peers", Status: Fail, Detail: err.Error(), Next: "check the Ethereum node and chain.registry"}}
	}
	if len(nodes) == 0 {
		return []Result{{Check: "peers", Status: Warn, Detail: "the registry lists no other active node", Next: "nothing to connect to until other operators register"}}
	}
	var dialers []*dialer
	for _, t := range []string{"quic", "tcp"} {
		dl, err := newDialer(d, t)
		if err != nil {
			return []Result{{Check: "peers", Status: Fail, Detail: err.Error()}}
		}
		defer dl.close()
		dialers = append(dialers, dl)
	}
	known := map[string]api.Peer{}
	for _, p := range d.peers {
		if p.Registered {
			known[p.NodeID.Hex()] = p
		}
	}
	out := make([][]Result, len(nodes))
	sem := make(chan struct{}, maxParallelDials)
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = d.checkPeer(ctx, dialers, n, known[n.ID.Hex()])
		})
	}
	wg.Wait()
	return slices.Concat(out...)
}

// checkPeer is one peer's lines: one per transport, then whether it can
// dial us back.
func (d *doctor) checkPeer(ctx context.Context, dialers []*dialer, n chain.Node, known api.Peer) []Result {
	addrs := peerAddrs(n, known)
	res := make([]dialResult, len(dialers))
	var wg sync.WaitGroup
	for i, dl := range dialers {
		wg.Go(func() { res[i] = d.dial(ctx, dl, n, addrs) })
	}
	wg.Wait()
	anyOK := false
	for _, r := range res {
		anyOK = anyOK || (!r.skipped && r.err == nil && r.mismatch == "")
	}
	prefix := "peer:" + n.ID.Hex() + ":"
	var rs []Result
	var observed []ma.Multiaddr
	for i, r := range res {
		name, label := prefix+dialers[i].transport, strings.ToUpper(dialers[i].transport)
		switch {
		case r.skipped:
			rs = append(rs, Result{Check: name, Status: Skip, Detail: fmt.Sprintf("no %s address registered or known for it", label)})
		case r.mismatch != "":
			rs = append(rs, Result{Check: name, Status: Fail, Detail: fmt.Sprintf("connected over %s, but its status handshake says it is on another network: %s", label, r.mismatch),
				Next: "if this node's configuration is right (see chain_id, node_network), the peer's operator runs it with another network's configuration: tell them"})
		case r.err != nil:
			rr := Result{Check: name, Status: Fail}
			if r.stage == "dial" {
				rr.Detail = fmt.Sprintf("%s dial to %s failed: %s", label, joinAddrs(addrs, dialers[i]), shortErr(r.err))
				rr.Next = fmt.Sprintf("the peer may be down or its %s port filtered: ask its operator (validator status on its host); check that this host may dial out over %s", label, map[string]string{"QUIC": "UDP", "TCP": "TCP"}[label])
			} else {
				rr.Detail = fmt.Sprintf("connected over %s in %s, but the status handshake failed: %s", label, r.connect.Round(time.Millisecond), shortErr(r.err))
				rr.Next = "the peer refused this node after connecting: check this node's registration (above) and the peer's logs; the peer may run an incompatible release"
			}
			if anyOK {
				rr.Status = Warn
				rr.Next += "; it is reachable over the other transport meanwhile"
			}
			rs = append(rs, rr)
		default:
			detail := fmt.Sprintf("connected in %s, handshake ok (version %s, registry block %d)", r.connect.Round(time.Millisecond), r.theirs.Version, r.theirs.RegistryBlock)
			if r.rtt > 0 {
				detail += fmt.Sprintf(", ping RTT %s", r.rtt.Round(10*time.Microsecond))
			}
			if r.observed != nil {
				detail += ", it sees us at " + r.observed.String()
				observed = append(observed, r.observed)
			}
			rs = append(rs, Result{Check: name, Status: OK, Detail: detail})
		}
	}
	return append(rs, d.dialBack(prefix+"dial_back", known, observed))
}

// dialBack judges whether the peer can dial this node: proven when the
// daemon holds an inbound connection from it; likely when the peer sees us at
// an IP this node announces (its registered or external addresses); doubtful
// when it sees us at another (NAT).
func (d *doctor) dialBack(name string, known api.Peer, observed []ma.Multiaddr) Result {
	if known.Connected && known.Direction == "inbound" {
		return Result{Check: name, Status: OK, Detail: "it dialled this node: the daemon's connection with it is inbound"}
	}
	if len(observed) == 0 {
		return Result{Check: name, Status: Skip, Detail: "not connected, and no identify observation of our address"}
	}
	var announced []string
	if d.self != nil {
		announced = append(announced, d.self.Multiaddrs...)
	}
	announced = append(announced, d.cfg.ExternalAddrs...)
	ips := map[string]bool{}
	for _, a := range announced {
		if m, err := ma.NewMultiaddr(a); err == nil {
			if ip := ipOf(m); ip != "" {
				ips[ip] = true
			}
		}
	}
	for _, o := range observed {
		if ip := ipOf(o); ips[ip] {
			return Result{Check: name, Status: OK, Detail: fmt.Sprintf("it sees this node at %s, an IP this node announces; it can dial back unless a firewall drops inbound connections", ip)}
		}
	}
	return Result{Check: name, Status: Warn,
		Detail: fmt.Sprintf("it sees this node at %s, but this node announces %s: behind NAT it may not be able to dial back", ipOf(observed[0]), strings.Join(announced, " ")),
		Next:   "set network.external_addrs to the public address and port-forward the listen ports, then publish it (validator update --addr)"}
}

func ipOf(m ma.Multiaddr) string {
	for _, c := range m {
		switch c.Protocol().Code {
		case ma.P_IP4, ma.P_IP6:
			return net.ParseIP(c.Value()).String()
		}
	}
	return ""
}

// peerAddrs are a peer's registered addresses and those the daemon knows
// (heartbeats, identify), deduplicated.
func peerAddrs(n chain.Node, known api.Peer) []ma.Multiaddr {
	var out []ma.Multiaddr
	seen := map[string]bool{}
	for _, s := range slices.Concat(n.Multiaddrs, known.Addrs) {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			continue
		}
		if _, last := ma.SplitLast(m); last != nil && last.Protocol().Code == ma.P_P2P {
			m, _ = ma.SplitLast(m)
		}
		if !seen[m.String()] {
			seen[m.String()] = true
			out = append(out, m)
		}
	}
	return out
}

func joinAddrs(addrs []ma.Multiaddr, dl *dialer) string {
	var s []string
	for _, a := range addrs {
		if dl.matches(a) {
			s = append(s, a.String())
		}
	}
	return strings.Join(s, " ")
}
