package doctor

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"

	"validator/p2p"
)

// The discv5 check (network.discv5 on) asks the node's discv5 port for the
// node's own record, from a throwaway discv5 node: the answer is signed by
// the node key (the session handshake authenticates it too), so it proves
// that this node's discovery listens there, and its "vld" entry must name
// the configured network, chain ID and registry. The daemon's discovery then
// holds the throwaway node in its table until it stops answering, and counts
// it once as another network's (validator_p2p_discovery_skipped_total).

// discv5Addr is where the daemon's discv5 listens for this configuration
// (p2p.Discv5IP; loopback when that is all interfaces).
func (d *doctor) discv5Addr() *net.UDPAddr {
	ip := p2p.Discv5IP(d.cfg.ListenAddrs)
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return &net.UDPAddr{IP: ip, Port: d.cfg.Discv5Port}
}

func (d *doctor) checkDiscv5() Result {
	r := Result{Check: "discv5"}
	if !d.cfg.Discv5 {
		r.Status, r.Detail = Skip, "network.discv5 is off"
		return r
	}
	addr := d.discv5Addr()
	rec, err := d.requestOwnENR(addr)
	if err != nil {
		// No answer: is the port bound at all?
		pc, lerr := net.ListenPacket("udp", addr.String())
		switch {
		case lerr == nil:
			pc.Close()
			r.Status, r.Detail = Fail, fmt.Sprintf("nothing is bound to UDP port %d (%s): %v", addr.Port, addr, err)
			r.Next = "start the daemon (validator start --config <file>); if it runs, its network.discv5 or network.discv5_port differ from this configuration's"
		case errors.Is(lerr, syscall.EADDRINUSE):
			r.Status, r.Detail = Fail, fmt.Sprintf("UDP port %d is taken: it is bound, but no discv5 node with this node's key answers there (%v)", addr.Port, err)
			r.Next = fmt.Sprintf("find the process holding UDP port %d (ss -lunp 'sport = :%d') and stop it, or set network.discv5_port to a free port", addr.Port, addr.Port)
		default:
			r.Status, r.Detail = Fail, fmt.Sprintf("no discv5 answer on %s (%v), and binding it to check failed: %v", addr, err, lerr)
		}
		return r
	}
	want := p2p.NetworkEntry{Network: d.cfg.Network.Name, ChainID: d.cfg.Network.ChainID, Registry: d.cfg.Network.Registry}
	var got p2p.NetworkEntry
	if err := rec.Load(&got); err != nil {
		r.Status, r.Detail = Fail, fmt.Sprintf("this node answers discv5 on %s, but its record has no %q entry (%v)", addr, p2p.ENRKey, err)
		r.Next = "the daemon runs another release or another key; restart it with this configuration"
		return r
	}
	if got != want {
		r.Status = Fail
		r.Detail = fmt.Sprintf("this node's record on %s names network %q, chain ID %d, registry %s; the configuration says %q, %d, %s",
			addr, got.Network, got.ChainID, got.Registry.Hex(), want.Network, want.ChainID, want.Registry.Hex())
		r.Next = "restart the daemon with this configuration: peers of the configured network skip its record"
		return r
	}
	var quic enr.QUIC
	_ = rec.Load(&quic)
	r.Status = OK
	r.Detail = fmt.Sprintf("this node answers discv5 on %s with its record (seq %d): network %q, %s TCP %d, QUIC %d",
		addr, rec.Seq(), got.Network, rec.IPAddr(), rec.TCP(), quic)
	if !rec.IPAddr().IsValid() || (rec.IPAddr().IsLoopback() && !addr.IP.IsLoopback()) {
		r.Status = Warn
		r.Detail += "; the record carries no address peers on other hosts can reach"
		r.Next = "listen on a routable IPv4 address (network.listen_addrs), or let discv5 learn it from peers"
	}
	return r
}

// requestOwnENR asks addr for the record of this node's key, from a throwaway
// discv5 node on a free loopback-or-any port.
func (d *doctor) requestOwnENR(addr *net.UDPAddr) (*enode.Node, error) {
	probe, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	local := &net.UDPAddr{IP: net.IPv4zero}
	if addr.IP.IsLoopback() {
		local.IP = addr.IP
	}
	conn, err := net.ListenUDP("udp4", local)
	if err != nil {
		return nil, fmt.Errorf("open a probe socket: %w", err)
	}
	db, err := enode.OpenDB("")
	if err != nil {
		conn.Close()
		return nil, err
	}
	defer db.Close()
	ln := enode.NewLocalNode(db, probe)
	ln.SetFallbackIP(addr.IP)
	ln.SetFallbackUDP(conn.LocalAddr().(*net.UDPAddr).Port)
	udp, err := discover.ListenV5(conn, ln, discover.Config{PrivateKey: probe})
	if err != nil {
		conn.Close()
		return nil, err
	}
	defer udp.Close()
	target := enode.NewV4(&d.cfg.NodeKey.PublicKey, addr.IP, 0, addr.Port)
	var last error
	for range 3 { // UDP: a lost packet is not an answer
		n, err := udp.RequestENR(target)
		if err == nil {
			return n, nil
		}
		last = err
	}
	return nil, last
}
