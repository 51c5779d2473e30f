package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p"
	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/sec"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	ma "github.com/multiformats/go-multiaddr"
	mss "github.com/multiformats/go-multistream"
)

// The listen checks prove that this node holds each listen address: they
// complete the transport's security handshake (Noise over TCP, TLS in QUIC)
// with a throwaway key, which authenticates the listener's key as this node's
// peer ID. The node's gate then refuses the throwaway key, as it refuses any
// unregistered one; that refusal comes after the proof. A port that another
// process holds fails the handshake, or answers with another key.

// listenAddr is a listen multiaddr taken apart.
type listenAddr struct {
	raw      string
	maddr    ma.Multiaddr
	quic     bool   // UDP with QUIC; else TCP
	hostPort string // dialable: an unspecified IP becomes loopback
	port     int
}

func parseListen(s string) (listenAddr, error) {
	m, err := ma.NewMultiaddr(s)
	if err != nil {
		return listenAddr{}, err
	}
	var ip, port string
	la := listenAddr{raw: s}
	for _, c := range m {
		switch c.Protocol().Code {
		case ma.P_IP4, ma.P_IP6:
			ip = c.Value()
		case ma.P_TCP:
			port = c.Value()
		case ma.P_UDP:
			port = c.Value()
		case ma.P_QUIC_V1:
			la.quic = true
		}
	}
	if ip == "" || port == "" {
		return listenAddr{}, fmt.Errorf("want /ip4 or /ip6 with /tcp or /udp/<port>/quic-v1")
	}
	if strings.Contains(s, "/udp/") && !la.quic {
		return listenAddr{}, fmt.Errorf("a UDP address without /quic-v1 carries nothing this node speaks")
	}
	if p := net.ParseIP(ip); p.IsUnspecified() {
		if p.To4() != nil {
			ip = "127.0.0.1"
		} else {
			ip = "::1"
		}
	}
	la.port, _ = strconv.Atoi(port)
	la.hostPort = net.JoinHostPort(ip, port)
	dial := "/ip4/" + ip
	if strings.Contains(ip, ":") {
		dial = "/ip6/" + ip
	}
	if la.quic {
		dial += "/udp/" + port + "/quic-v1"
	} else {
		dial += "/tcp/" + port
	}
	if la.maddr, err = ma.NewMultiaddr(dial); err != nil {
		return listenAddr{}, err
	}
	return la, nil
}

func (d *doctor) checkListen(ctx context.Context) []Result {
	if len(d.cfg.ListenAddrs) == 0 {
		return []Result{{Check: "listen", Status: Fail, Detail: "network.listen_addrs is empty", Next: "set network.listen_addrs, e.g. /ip4/0.0.0.0/udp/9000/quic-v1 and /ip4/0.0.0.0/tcp/9000"}}
	}
	probe, _, err := ic.GenerateEd25519Key(nil)
	if err != nil {
		return []Result{{Check: "listen", Status: Fail, Detail: fmt.Sprintf("generate a probe key: %v", err)}}
	}
	var quicHost host.Host
	var rs []Result
	for _, s := range d.cfg.ListenAddrs {
		name := "listen:" + s
		la, err := parseListen(s)
		if err != nil {
			rs = append(rs, Result{Check: name, Status: Fail, Detail: fmt.Sprintf("cannot check %s: %v", s, err), Next: "fix network.listen_addrs"})
			continue
		}
		var r Result
		if la.quic {
			if quicHost == nil {
				if quicHost, err = libp2p.New(libp2p.Identity(probe), libp2p.NoListenAddrs, libp2p.Transport(libp2pquic.NewTransport), libp2p.DisableRelay(), libp2p.ResourceManager(&network.NullResourceManager{})); err != nil {
					rs = append(rs, Result{Check: name, Status: Fail, Detail: fmt.Sprintf("start a QUIC probe: %v", err)})
					continue
				}
				defer quicHost.Close()
			}
			r = d.probeQUIC(ctx, quicHost, la)
		} else {
			r = d.probeTCP(ctx, probe, la)
		}
		r.Check = name
		rs = append(rs, r)
	}
	return rs
}

// probeWait bounds a probe of this host's own ports, which answer in
// milliseconds when they answer at all.
func (d *doctor) probeWait() time.Duration { return min(d.cfg.Timeout, 2*time.Second) }

// taken is the next step for a port another process holds.
func taken(la listenAddr) string {
	proto, flag := "tcp", "-ltnp"
	if la.quic {
		proto, flag = "udp", "-lunp"
	}
	return fmt.Sprintf("find the process holding %s port %d (ss %s 'sport = :%d') and stop it, or move this node to a free port in network.listen_addrs and publish it (validator update --addr)", proto, la.port, flag, la.port)
}

func (d *doctor) probeTCP(ctx context.Context, probe ic.PrivKey, la listenAddr) Result {
	cctx, cancel := context.WithTimeout(ctx, d.probeWait())
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(cctx, "tcp", la.hostPort)
	if err != nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("nothing accepts TCP connections on %s: %v", la.hostPort, err),
			Next: "start the daemon (validator start --config <file>); if it runs, its network.listen_addrs differ from this configuration's"}
	}
	defer conn.Close()
	deadline, _ := cctx.Deadline()
	_ = conn.SetDeadline(deadline)
	if err := mss.SelectProtoOrFail(noise.ID, conn); err != nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("TCP port %d is taken: something accepts connections on %s but does not speak libp2p (%v)", la.port, la.hostPort, err), Next: taken(la)}
	}
	tr, err := noise.New(noise.ID, probe, nil)
	if err != nil {
		return Result{Status: Fail, Detail: fmt.Sprintf("noise: %v", err)}
	}
	if _, err := tr.SecureOutbound(cctx, conn, d.id.PeerID); err != nil {
		var mm sec.ErrPeerIDMismatch
		if errors.As(err, &mm) {
			return Result{Status: Fail, Detail: fmt.Sprintf("TCP port %d is taken by another libp2p node (peer %s), not this node (%s)", la.port, mm.Actual, d.id.PeerID), Next: taken(la)}
		}
		return Result{Status: Fail, Detail: fmt.Sprintf("TCP port %d: the Noise handshake with the listener failed: %v", la.port, err), Next: taken(la)}
	}
	return d.bound(la, "TCP")
}

func (d *doctor) probeQUIC(ctx context.Context, h host.Host, la listenAddr) Result {
	cctx, cancel := context.WithTimeout(ctx, d.probeWait())
	defer cancel()
	err := h.Connect(cctx, peer.AddrInfo{ID: d.id.PeerID, Addrs: []ma.Multiaddr{la.maddr}})
	_ = h.Network().ClosePeer(d.id.PeerID)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	switch {
	case err == nil, strings.Contains(msg, "gated"), strings.Contains(msg, "GATE"):
		// The TLS handshake authenticated this node's key; the gate then
		// refused the probe key (or had not yet, when Connect returned).
		return d.bound(la, "QUIC")
	case strings.Contains(msg, "peer id mismatch"), strings.Contains(msg, "peer IDs don't match"):
		return Result{Status: Fail, Detail: fmt.Sprintf("UDP port %d is taken by another libp2p node, not this node (%s)", la.port, d.id.PeerID), Next: taken(la)}
	}
	// No QUIC answer: is the port bound at all?
	pc, lerr := net.ListenPacket("udp", la.hostPort)
	if lerr == nil {
		pc.Close()
		return Result{Status: Fail, Detail: fmt.Sprintf("nothing is bound to UDP port %d (%s): %s", la.port, la.hostPort, shortErr(err)),
			Next: "start the daemon (validator start --config <file>); if it runs, its network.listen_addrs differ from this configuration's"}
	}
	if errors.Is(lerr, syscall.EADDRINUSE) {
		return Result{Status: Fail, Detail: fmt.Sprintf("UDP port %d is taken: it is bound, but no QUIC listener with this node's key answers there (%s)", la.port, shortErr(err)), Next: taken(la)}
	}
	return Result{Status: Fail, Detail: fmt.Sprintf("no QUIC answer on %s (%s), and binding it to check failed: %v", la.hostPort, shortErr(err), lerr), Next: taken(la)}
}

// bound is the verdict for a port this node's key answers on; it notes
// whether the daemon's API lists the address.
func (d *doctor) bound(la listenAddr, transport string) Result {
	r := Result{Status: OK, Detail: fmt.Sprintf("this node (peer %s) answers %s on %s", d.id.PeerID, transport, la.hostPort)}
	if d.status != nil {
		listed := false
		for _, a := range d.status.ListenAddrs {
			pa, err := parseListen(a)
			if err == nil && pa.port == la.port && pa.quic == la.quic {
				listed = true
			}
		}
		if !listed {
			r.Detail += "; the daemon's API does not list this port among its listen addresses"
		}
	}
	return r
}

// shortErr is the last part of a libp2p dial error, which nests the
// swarm's, the transport's and the cause.
func shortErr(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i > 8 {
		return s[i+2:]
	}
	return s
}
