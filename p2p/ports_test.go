package p2p_test

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"validator/p2p"
)

// freePort is a port of the given network ("tcp" or "udp") free a moment ago.
func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestTakenPortRefused: a second node on a p2p port the first holds does not
// start (it used to share the TCP port silently, or lose QUIC without a
// word), and says which port and what to do.
func TestTakenPortRefused(t *testing.T) {
	for _, tc := range []struct{ name, network, addr, proto string }{
		{"tcp", "tcp", "/ip4/127.0.0.1/tcp/%d", "TCP"},
		{"quic", "udp", "/ip4/127.0.0.1/udp/%d/quic-v1", "UDP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t, tc.network)
			// The second node also listens on a free TCP port: it used to
			// start on that alone, its QUIC lost without a word.
			newSvc := func(seed string, more ...string) (*p2p.Service, error) {
				id, err := p2p.NewIdentity(seedKey(t, seed))
				if err != nil {
					t.Fatal(err)
				}
				cfg := testConfig("testnet")
				cfg.ListenAddrs = append([]string{fmt.Sprintf(tc.addr, port)}, more...)
				cfg.Registerer = prometheus.NewRegistry()
				return p2p.New(id, p2p.NewStaticMembership(), cfg)
			}
			first, err := newSvc("port-first")
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			second, err := newSvc("port-second", "/ip4/127.0.0.1/tcp/0")
			if err == nil {
				second.Close()
				t.Fatalf("a second node started on %s port %d", tc.proto, port)
			}
			for _, want := range []string{fmt.Sprintf("p2p port %d/%s is taken", port, tc.proto), "network.listen_addrs"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}
