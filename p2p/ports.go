package p2p

import (
	"fmt"
	"net"
	"strconv"

	ma "github.com/multiformats/go-multiaddr"
)

// checkPorts refuses listen addresses whose port another process holds.
// libp2p's TCP listener sets SO_REUSEPORT, so a second node on a taken port
// would share it silently (each getting some of the connections), and a QUIC
// listener that cannot bind is skipped without a word. Each fixed port is
// bound here plainly (no SO_REUSEPORT) and released; port 0 is always free.
func checkPorts(addrs []string) error {
	for _, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			return fmt.Errorf("multiaddr %q: %w", a, err)
		}
		ip, network := "", ""
		if v, err := m.ValueForProtocol(ma.P_IP4); err == nil {
			ip, network = v, "4"
		} else if v, err := m.ValueForProtocol(ma.P_IP6); err == nil {
			ip, network = v, "6"
		} else {
			continue // not an IP address: nothing to check
		}
		proto, port := "TCP", ""
		if v, err := m.ValueForProtocol(ma.P_UDP); err == nil {
			proto, port, network = "UDP", v, "udp"+network
		} else if v, err := m.ValueForProtocol(ma.P_TCP); err == nil {
			port, network = v, "tcp"+network
		}
		if port == "" || port == "0" {
			continue
		}
		hostport := net.JoinHostPort(ip, port)
		var l interface{ Close() error }
		switch proto {
		case "UDP":
			l, err = net.ListenPacket(network, hostport)
		default:
			l, err = net.Listen(network, hostport)
		}
		if err != nil {
			n, _ := strconv.Atoi(port)
			return fmt.Errorf("p2p port %d/%s is taken (%s): another process, perhaps another validator, listens on it; stop it or set network.listen_addrs to a free port: %w", n, proto, a, err)
		}
		_ = l.Close()
	}
	return nil
}
