package p2p

import (
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
)

// mDNS (Config.MDNS, network.mdns): for LAN and lab setups, nodes announce
// their listen addresses by multicast DNS and learn each other's. Off by
// default. The service name is derived from the network name, so two
// networks on one LAN do not even see each other's announcements; what is
// found is only proposed (p2p/proposals.go), so an unregistered host that
// announces itself is never dialled.

// MDNSServiceName is the DNS-SD service of network: "_vld-" and the first 4
// bytes of keccak256(network) in hex, under _udp (a service label has at
// most 15 characters, RFC 6763, so the name itself does not fit).
func MDNSServiceName(network string) string {
	return fmt.Sprintf("_vld-%x._udp", crypto.Keccak256([]byte(network))[:4])
}

type mdnsNotifee struct{ s *Service }

func (n mdnsNotifee) HandlePeerFound(ai peer.AddrInfo) { n.s.propose("mdns", ai) }

// startMDNS announces this node and listens for others on the local network.
func (s *Service) startMDNS() error {
	svc := mdns.NewMdnsService(s.host, MDNSServiceName(s.cfg.Network), mdnsNotifee{s})
	if err := svc.Start(); err != nil {
		return fmt.Errorf("start mdns: %w", err)
	}
	s.mdns = svc
	return nil
}
