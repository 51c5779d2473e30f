package p2p

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/enr"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// discv5 (Config.Discv5, network.discv5): go-ethereum's Node Discovery v5 as
// one more address source. The node's ENR is signed by the node key itself,
// so its node ID is the same secp256k1 key as the peer ID and the registry's
// node ID; it carries the QUIC and TCP ports and a "vld" entry with the
// network name, chain ID and registry address (the consensus layer's fork
// data idea). A predicate keeps only ENRs of this network whose key is an
// active registered node; the others are counted and never dialled. What is
// kept is only proposed (p2p/proposals.go): the gate and the status handshake
// still decide.

// ENRKey is the key of the network entry in this node's ENR.
const ENRKey = "vld"

// DefaultDiscv5Port is network.discv5_port's default: one above the default
// QUIC port, which is UDP too.
const DefaultDiscv5Port = 9001

// NetworkEntry is the "vld" ENR entry: which network a node belongs to, RLP
// encoded as [network, chain ID, registry].
type NetworkEntry struct {
	Network  string
	ChainID  uint64
	Registry common.Address
}

// ENRKey implements enr.Entry.
func (NetworkEntry) ENRKey() string { return ENRKey }

// ParseENRs parses discv5 bootnodes, each an "enr:" string.
func ParseENRs(ss []string) ([]*enode.Node, error) {
	var out []*enode.Node
	for _, s := range ss {
		if !strings.HasPrefix(s, "enr:") {
			return nil, fmt.Errorf("%q: want an ENR, enr:...", s)
		}
		n, err := enode.Parse(enode.ValidSchemes, s)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// discv5 is the running discovery of one service.
type discv5 struct {
	udp *discover.UDPv5
	db  *enode.DB
	it  enode.Iterator
}

// close stops the UDP service; the lookup iterator is closed by discv5Loop's
// watcher when the service's context ends.
func (d *discv5) close() {
	d.udp.Close()
	d.db.Close()
}

// ENR is this node's record ("enr:..."), or "" when discv5 is off. Another
// node takes it as a bootnode (network.discv5_bootnodes).
func (s *Service) ENR() string {
	if s.disc == nil {
		return ""
	}
	return s.disc.udp.Self().String()
}

// startDiscv5 binds the discv5 UDP port and starts the predicate lookup.
func (s *Service) startDiscv5() error {
	boot, err := ParseENRs(s.cfg.Discv5Bootnodes)
	if err != nil {
		return fmt.Errorf("discv5 bootnodes: %w", err)
	}
	ip := Discv5IP(s.cfg.ListenAddrs)
	port := max(s.cfg.Discv5Port, 0)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
	if err != nil {
		return fmt.Errorf("discv5 port %d/UDP: %w (set network.discv5_port to a free port, not QUIC's)", port, err)
	}
	db, err := enode.OpenDB("")
	if err != nil {
		conn.Close()
		return fmt.Errorf("discv5 node database: %w", err)
	}
	ln := enode.NewLocalNode(db, s.id.Key)
	ln.Set(NetworkEntry{Network: s.cfg.Network, ChainID: s.cfg.ChainID, Registry: s.cfg.Registry})
	tcp, quic := s.listenPorts()
	if tcp > 0 {
		ln.Set(enr.TCP(tcp))
	}
	if quic > 0 {
		ln.Set(enr.QUIC(quic))
	}
	if ip.IsUnspecified() {
		ln.SetFallbackIP(s.announceIP())
	} else {
		ln.SetStaticIP(ip)
	}
	ln.SetFallbackUDP(conn.LocalAddr().(*net.UDPAddr).Port)
	udp, err := discover.ListenV5(conn, ln, discover.Config{PrivateKey: s.id.Key, Bootnodes: boot})
	if err != nil {
		conn.Close()
		db.Close()
		return fmt.Errorf("discv5: %w", err)
	}
	s.disc = &discv5{udp: udp, db: db, it: enode.Filter(udp.RandomNodes(), s.keepENR)}
	s.log.Info("discv5 listening", "addr", conn.LocalAddr(), "enr", s.ENR())
	// The lookup blocks in Next until the iterator is closed.
	s.goLoop(func() { <-s.ctx.Done(); s.disc.it.Close() })
	s.goLoop(s.discv5Loop)
	return nil
}

// Discv5IP is the address discv5 binds for these listen addresses: that of
// the first IPv4 one (all interfaces if there is none).
func Discv5IP(listenAddrs []string) net.IP {
	for _, a := range listenAddrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			continue
		}
		if v, err := m.ValueForProtocol(ma.P_IP4); err == nil {
			return net.ParseIP(v)
		}
	}
	return net.IPv4zero
}

// announceIP is the IPv4 address the ENR carries when discv5 listens on all
// interfaces, until discv5 learns it from what peers see: the first of the
// host's addresses (external ones first) that is neither unspecified nor
// loopback, else loopback.
func (s *Service) announceIP() net.IP {
	for _, a := range s.host.Addrs() {
		if v, err := a.ValueForProtocol(ma.P_IP4); err == nil {
			if ip := net.ParseIP(v); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
				return ip
			}
		}
	}
	return net.IPv4(127, 0, 0, 1)
}

// listenPorts are the TCP and QUIC ports the host listens on (0: none).
func (s *Service) listenPorts() (tcp, quic int) {
	for _, a := range s.host.Network().ListenAddresses() {
		if _, err := a.ValueForProtocol(ma.P_IP4); err != nil {
			continue
		}
		if v, err := a.ValueForProtocol(ma.P_TCP); err == nil && tcp == 0 {
			tcp, _ = strconv.Atoi(v)
		}
		if _, err := a.ValueForProtocol(ma.P_QUIC_V1); err == nil && quic == 0 {
			v, _ := a.ValueForProtocol(ma.P_UDP)
			quic, _ = strconv.Atoi(v)
		}
	}
	return tcp, quic
}

// keepENR is the predicate: an ENR of this network (name, chain ID and
// registry) whose key is an active registered node. Everything else is
// counted and dropped.
func (s *Service) keepENR(n *enode.Node) bool {
	if n.ID() == s.disc.udp.Self().ID() {
		return false
	}
	var e NetworkEntry
	if err := n.Load(&e); err != nil || e != (NetworkEntry{Network: s.cfg.Network, ChainID: s.cfg.ChainID, Registry: s.cfg.Registry}) {
		s.m.skipped.WithLabelValues("discv5", "other_network").Inc()
		return false
	}
	if n.Pubkey() == nil {
		s.m.skipped.WithLabelValues("discv5", "other_network").Inc()
		return false
	}
	if _, ok := s.members.ByID(ethcrypto.PubkeyToAddress(*n.Pubkey())); !ok {
		s.m.skipped.WithLabelValues("discv5", "unregistered").Inc()
		return false
	}
	return true
}

// discv5Loop proposes the addresses of every ENR the predicate keeps, paced
// (the random walk revisits the same few nodes of a small network).
func (s *Service) discv5Loop() {
	for s.disc.it.Next() {
		n := s.disc.it.Node()
		m, ok := s.members.ByID(ethcrypto.PubkeyToAddress(*n.Pubkey()))
		if ok {
			if ai, err := enrAddrInfo(m.PeerID, n); err == nil {
				s.propose("discv5", ai)
			}
		}
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// enrAddrInfo is where n says its libp2p host listens: QUIC and TCP on the
// ENR's IPv4 address.
func enrAddrInfo(p peer.ID, n *enode.Node) (peer.AddrInfo, error) {
	ip := n.IPAddr()
	if !ip.IsValid() || !ip.Is4() {
		return peer.AddrInfo{}, errors.New("no IPv4 address")
	}
	ai := peer.AddrInfo{ID: p}
	var quic enr.QUIC
	if n.Load(&quic) == nil && quic != 0 {
		ai.Addrs = append(ai.Addrs, ma.StringCast(fmt.Sprintf("/ip4/%s/udp/%d/quic-v1", ip, quic)))
	}
	if tcp := n.TCP(); tcp != 0 {
		ai.Addrs = append(ai.Addrs, ma.StringCast(fmt.Sprintf("/ip4/%s/tcp/%d", ip, tcp)))
	}
	if len(ai.Addrs) == 0 {
		return peer.AddrInfo{}, errors.New("no QUIC or TCP port")
	}
	return ai, nil
}
