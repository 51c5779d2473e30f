package p2p

import (
	"io"
	"net/netip"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
	"github.com/prometheus/client_golang/prometheus"
)

// Inbound connections that have not yet completed the security handshake are
// unauthenticated: anyone can open them. Left alone, each holds a slot of the
// resource manager's transient scope for libp2p's 15 s upgrade timeout, so a
// few hundred silent connections keep every registered peer out, in both
// directions (outbound dials need a transient slot too). They are bounded here:
//
//   - at most maxPendingPerIP from one source address: more are refused at
//     accept. Registered peers sharing an address (a NAT, loopback in tests)
//     are not refused in normal operation: the bound is on handshakes in
//     flight, which last milliseconds, not on connections.
//   - at most maxPendingTotal in all: when full, the oldest pending
//     connection is closed to make room, so connections from many addresses
//     cannot hold the node either; an honest handshake needs only its few
//     round trips to pass.
//   - each must complete the security handshake within pendingDeadline, or it
//     is closed.
//
// QUIC connections reach the gate with their handshake done (quic-go bounds
// its own handshakes), so only TCP connections are counted. After the
// security handshake the gate admits registered peers only, the resource
// manager bounds connections per peer, and the status handshake drops a peer
// that does not speak it within HandshakeTimeout.
const (
	maxPendingPerIP = 8
	maxPendingTotal = 64
	pendingDeadline = 3 * time.Second
)

// Reasons an unauthenticated connection is refused or closed (label "reason"
// of validator_p2p_unauthenticated_refused_total).
var pendingRefusals = []string{"per_address", "total", "deadline", "rate"}

// pendingConns tracks inbound TCP connections between accept and the end of
// the security handshake.
type pendingConns struct {
	perIP, total int
	deadline     time.Duration
	refused      *prometheus.CounterVec
	gauge        prometheus.Gauge

	mu    sync.Mutex
	conns map[string]*pendingConn // by remote multiaddr
	byIP  map[netip.Addr]int
	seq   uint64
	// closed: close has run; nothing more is admitted.
	closed bool
	// timers counts deadline timers that are armed or running, so that close
	// waits for a deadline close already under way.
	timers sync.WaitGroup
}

type pendingConn struct {
	key   string
	ip    netip.Addr
	seq   uint64 // accept order: the lowest is the oldest
	c     io.Closer
	timer *time.Timer
}

func newPendingConns(perIP, total int, deadline time.Duration, refused *prometheus.CounterVec, gauge prometheus.Gauge) *pendingConns {
	return &pendingConns{
		perIP: perIP, total: total, deadline: deadline, refused: refused, gauge: gauge,
		conns: map[string]*pendingConn{}, byIP: map[netip.Addr]int{},
	}
}

// accept admits a newly accepted connection, or refuses it (false) when its
// source address already has perIP handshakes in flight.
func (p *pendingConns) accept(c network.ConnMultiaddrs) bool {
	raddr := c.RemoteMultiaddr()
	if isQUIC(raddr) {
		return true // already secured
	}
	ip, ok := remoteIP(raddr)
	closer, closable := c.(io.Closer)
	if !ok || !closable {
		return true // nothing to count or to close; not a TCP connection
	}
	key := raddr.String()
	var evicted *pendingConn
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return false
	}
	if old, ok := p.conns[key]; ok { // the same address and port again: the old one is gone
		p.removeLocked(old)
	}
	if p.byIP[ip] >= p.perIP {
		p.mu.Unlock()
		p.refused.WithLabelValues("per_address").Inc()
		return false
	}
	if len(p.conns) >= p.total {
		for _, pc := range p.conns {
			if evicted == nil || pc.seq < evicted.seq {
				evicted = pc
			}
		}
		p.removeLocked(evicted)
	}
	p.seq++
	pc := &pendingConn{key: key, ip: ip, seq: p.seq, c: closer}
	p.conns[key] = pc
	p.byIP[ip]++
	p.timers.Add(1)
	pc.timer = time.AfterFunc(p.deadline, func() {
		defer p.timers.Done()
		if p.release(pc) {
			p.refused.WithLabelValues("deadline").Inc()
			_ = pc.c.Close()
		}
	})
	p.gauge.Set(float64(len(p.conns)))
	p.mu.Unlock()
	if evicted != nil {
		p.refused.WithLabelValues("total").Inc()
		_ = evicted.c.Close()
	}
	return true
}

// secured releases a connection whose security handshake is done (whatever
// the gate then decides).
func (p *pendingConns) secured(c network.ConnMultiaddrs) {
	key := c.RemoteMultiaddr().String()
	p.mu.Lock()
	pc, ok := p.conns[key]
	p.mu.Unlock()
	if ok {
		p.release(pc)
	}
}

// release forgets pc if it is still pending, and says whether it was.
func (p *pendingConns) release(pc *pendingConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns[pc.key] != pc {
		return false
	}
	p.removeLocked(pc)
	return true
}

func (p *pendingConns) removeLocked(pc *pendingConn) {
	delete(p.conns, pc.key)
	if p.byIP[pc.ip]--; p.byIP[pc.ip] <= 0 {
		delete(p.byIP, pc.ip)
	}
	if pc.timer != nil && pc.timer.Stop() {
		p.timers.Done() // disarmed before it ran
	}
	p.gauge.Set(float64(len(p.conns)))
}

// close forgets every pending connection (their host closes them), stops
// their deadline timers and waits for any deadline close already running.
// Nothing is admitted afterwards.
func (p *pendingConns) close() {
	p.mu.Lock()
	p.closed = true
	for _, pc := range p.conns {
		p.removeLocked(pc)
	}
	p.mu.Unlock()
	p.timers.Wait()
}

func isQUIC(a ma.Multiaddr) bool {
	_, err := a.ValueForProtocol(ma.P_QUIC_V1)
	return err == nil
}

func remoteIP(a ma.Multiaddr) (netip.Addr, bool) {
	ip, err := manet.ToIP(a)
	if err != nil {
		return netip.Addr{}, false
	}
	addr, ok := netip.AddrFromSlice(ip)
	return addr.Unmap(), ok
}
