package p2p_test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"validator/p2p"
)

func TestMetricsLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	id, err := p2p.NewIdentity(seedKey(t, "lint"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig("testnet")
	cfg.Registerer = reg
	svc, err := p2p.New(id, p2p.NewStaticMembership(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) < 10 {
		t.Fatalf("only %d metric families registered", len(mfs))
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	id, _ := p2p.NewIdentity(seedKey(t, "cfg"))
	for name, edit := range map[string]func(*p2p.Config){
		"listen multiaddr":   func(c *p2p.Config) { c.ListenAddrs = []string{"not-a-multiaddr"} },
		"external multiaddr": func(c *p2p.Config) { c.ExternalAddrs = []string{"/ip4/1.2.3"} },
		"negative idle":      func(c *p2p.Config) { c.IdleTimeout = -time.Second },
		"one connection":     func(c *p2p.Config) { c.MaxConnections = 1 },
		"bootstrap no id":    func(c *p2p.Config) { c.BootstrapPeers = []string{"/ip4/127.0.0.1/tcp/1"} },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig("testnet")
			edit(&cfg)
			if svc, err := p2p.New(id, p2p.NewStaticMembership(), cfg); err == nil {
				svc.Close()
				t.Fatal("accepted")
			}
		})
	}
}

// TestIdleConnectionsClosed: a registered peer that handshakes and then opens
// no stream is disconnected after idle_timeout.
func TestIdleConnectionsClosed(t *testing.T) {
	n := newLNet(t)
	target := n.addNode(func(c *p2p.Config) { c.IdleTimeout = time.Second })
	n.register(target)
	quiet := n.addNode(nil)
	n.register(quiet)
	quiet.stop() // its key drives a bare host with no gossip
	n.start(target, 2)

	h, err := libp2p.New(libp2p.Identity(quiet.id.Priv), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	if err := h.Connect(ctx, peer.AddrInfo{ID: target.id.PeerID, Addrs: target.svc.Host().Addrs()}); err != nil {
		t.Fatal(err)
	}
	st, _ := rlp.EncodeToBytes(p2p.Status{Network: "testnet", ChainID: 1337, Registry: n.registry})
	rr := p2p.ReqResp{ID: p2p.StatusProtocol("testnet"), MaxRequest: 512, MaxResponse: 512, Timeout: 3 * time.Second}
	if _, err := rr.Request(ctx, h, target.id.PeerID, st); err != nil {
		t.Fatal(err)
	}
	connectedAt := time.Now()
	waitFor(t, "the idle connection to be closed", func() bool {
		return len(target.svc.Host().Network().ConnsToPeer(quiet.id.PeerID)) == 0
	})
	if d := time.Since(connectedAt); d < 900*time.Millisecond {
		t.Fatalf("closed after %s, before the idle timeout", d)
	}
	if got := counter(t, target.reg, "validator_p2p_idle_closed_total", ""); got < 1 {
		t.Fatalf("idle closes = %v", got)
	}
}
