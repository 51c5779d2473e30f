package doctor_test

import (
	"context"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
	"validator/doctor"
	"validator/node"
)

// devnet is a running 3-validator devnet and the doctor's configuration of
// validator 0.
type devnet struct {
	d   *node.Devnet
	cfg doctor.Config
}

func startDevnet(t *testing.T) devnet {
	t.Helper()
	cfgs := make([]node.Config, 3)
	d, err := node.StartDevnet(context.Background(), node.DevnetOptions{
		Validators: 3, RPCAddr: "127.0.0.1:0", Dir: t.TempDir(),
		Tune: func(i int, c *node.Config) {
			if i == 0 {
				// Validator 0 is the one diagnosed: it needs both peers to be
				// ready, and calls its registry sync stalled soon.
				c.API.MinPeers = 2
				c.Chain.StallAfter = node.Duration(chain.MinStallAfter)
				c.Network.Discv5 = true
				c.Network.Discv5Port = freeUDPPort(t)
			}
			cfgs[i] = *c
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range d.Nodes {
		for n.Service().PeerCount() < 2 {
			if time.Now().After(deadline) {
				t.Fatal("devnet validators did not connect to each other")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	cfg, err := doctor.FromConfig(cfgs[0], chain.DevnetNodeKey(0), d.Nodes[0].APIAddr())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 3 * time.Second
	return devnet{d: d, cfg: cfg}
}

// freeUDPPort is a loopback UDP port nothing holds (at the time of asking).
func freeUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func nodeID(i int) common.Address { return crypto.PubkeyToAddress(chain.DevnetNodeKey(i).PublicKey) }

// find is the result of a check; the test fails if there is none.
func find(t *testing.T, rs []doctor.Result, check string) doctor.Result {
	t.Helper()
	for _, r := range rs {
		if r.Check == check {
			return r
		}
	}
	t.Fatalf("no %q check in:\n%s", check, dump(rs))
	return doctor.Result{}
}

// expect checks a result's status and that its detail and next step mention
// each of words.
func expect(t *testing.T, rs []doctor.Result, check string, want doctor.Status, words ...string) {
	t.Helper()
	r := find(t, rs, check)
	if r.Status != want {
		t.Errorf("%s: status %s, want %s: %s (next: %s)", check, r.Status, want, r.Detail, r.Next)
	}
	if want == doctor.Fail && r.Next == "" {
		t.Errorf("%s failed without a next step: %s", check, r.Detail)
	}
	for _, w := range words {
		if !strings.Contains(r.Detail+" "+r.Next, w) {
			t.Errorf("%s does not mention %q: %s (next: %s)", check, w, r.Detail, r.Next)
		}
	}
}

func dump(rs []doctor.Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "  %-4s %s: %s", r.Status, r.Check, r.Detail)
		if r.Next != "" {
			fmt.Fprintf(&b, " -> %s", r.Next)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestDoctor runs the doctor against validator 0 of a devnet: healthy, then
// with one problem injected at a time (a wrong network, the RPC endpoint
// down, listen ports held by another socket, a peer down). One devnet serves
// all, so the cases run in this order and the peer goes down last.
func TestDoctor(t *testing.T) {
	dn := startDevnet(t)
	ctx := context.Background()
	peer1, peer2 := "peer:"+nodeID(1).Hex()+":", "peer:"+nodeID(2).Hex()+":"

	t.Run("healthy", func(t *testing.T) {
		rs := doctor.Run(ctx, dn.cfg)
		t.Logf("\n%s", dump(rs))
		if doctor.Failed(rs) {
			t.Error("a healthy devnet validator fails a check")
		}
		for _, c := range []string{"rpc", "chain_id", "chain_head", "registration", "api", "node_network", "registry_sync",
			"listen:" + dn.cfg.ListenAddrs[0], "listen:" + dn.cfg.ListenAddrs[1],
			peer1 + "quic", peer1 + "tcp", peer1 + "dial_back", peer2 + "quic", peer2 + "tcp",
			"discv5", "clock_skew", "peer_count", "store_schema"} {
			expect(t, rs, c, doctor.OK)
		}
		expect(t, rs, "registration", doctor.OK, "active", "32 ETH")
		expect(t, rs, "peer_count", doctor.OK, "2 connected")
		expect(t, rs, "discv5", doctor.OK, fmt.Sprintf("127.0.0.1:%d", dn.cfg.Discv5Port), `network "devnet"`)
		expect(t, rs, peer1+"quic", doctor.OK, "handshake ok")
		expect(t, rs, peer1+"tcp", doctor.OK, "handshake ok")
		if s := find(t, rs, "disk").Status; s == doctor.Fail {
			t.Errorf("disk: %s", s)
		}
	})

	t.Run("clock skew", func(t *testing.T) {
		cfg := dn.cfg
		cfg.MaxSkew = time.Nanosecond // any offset is too much
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "clock_skew", doctor.Fail, "gossip.max_skew", "timedatectl")
	})

	t.Run("wrong chain", func(t *testing.T) {
		cfg := dn.cfg
		cfg.Network.ChainID = 1338
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "chain_id", doctor.Fail, "1337", "1338", "chain.rpc_url")
		expect(t, rs, "node_network", doctor.Fail, "chain ID 1337")
		expect(t, rs, "registration", doctor.Skip)
		expect(t, rs, "discv5", doctor.Fail, "chain ID 1337", "1338")
	})

	t.Run("wrong registry", func(t *testing.T) {
		cfg := dn.cfg
		cfg.Network.Registry = common.HexToAddress("0x00000000000000000000000000000000000000aa")
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "registration", doctor.Fail, "no NodeRegistry", "chain.registry")
		expect(t, rs, "node_network", doctor.Fail, "registry")
		expect(t, rs, "peers", doctor.Skip)
	})

	t.Run("not registered", func(t *testing.T) {
		cfg := dn.cfg
		cfg.NodeKey = chain.DevnetNodeKey(9)
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "registration", doctor.Fail, "not registered", "validator register")
		expect(t, rs, "node_network", doctor.Fail, "keys.node_key")
		expect(t, rs, "peers", doctor.Skip)
	})

	t.Run("rpc down", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed := l.Addr().String()
		l.Close()
		cfg := dn.cfg
		cfg.Network.RPCURL = "http://" + closed
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "rpc", doctor.Fail, closed, "chain.rpc_url")
		expect(t, rs, "registration", doctor.Skip)
		expect(t, rs, "peers", doctor.Skip)
	})

	t.Run("port taken", func(t *testing.T) {
		port := startPortHolder(t) // another process holds it, TCP and UDP
		cfg := dn.cfg
		cfg.ListenAddrs = []string{fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", port), fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port)}
		cfg.Discv5Port = port
		rs := doctor.Run(ctx, cfg)
		p := fmt.Sprint(port)
		expect(t, rs, "listen:"+cfg.ListenAddrs[0], doctor.Fail, "UDP port "+p+" is taken", "sport = :"+p)
		expect(t, rs, "listen:"+cfg.ListenAddrs[1], doctor.Fail, "TCP port "+p+" is taken", "sport = :"+p)
		expect(t, rs, "discv5", doctor.Fail, "UDP port "+p+" is taken", "sport = :"+p)
	})

	t.Run("discv5 not running", func(t *testing.T) {
		cfg := dn.cfg
		cfg.Discv5Port = freeUDPPort(t)
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "discv5", doctor.Fail, "nothing is bound", "network.discv5_port")
		cfg.Discv5 = false
		expect(t, doctor.Run(ctx, cfg), "discv5", doctor.Skip, "off")
	})

	t.Run("peer down", func(t *testing.T) {
		if err := dn.d.Nodes[2].Close(ctx); err != nil {
			t.Fatal(err)
		}
		rs := doctor.Run(ctx, dn.cfg)
		t.Logf("\n%s", dump(rs))
		expect(t, rs, peer2+"quic", doctor.Fail, "QUIC dial", "ask its operator")
		expect(t, rs, peer2+"tcp", doctor.Fail, "TCP dial", "ask its operator")
		expect(t, rs, peer1+"quic", doctor.OK)
		expect(t, rs, peer1+"tcp", doctor.OK)
		expect(t, rs, "peer_count", doctor.Fail, "1 connected", "is 2")
		if !doctor.Failed(rs) {
			t.Error("a peer down is not a failure")
		}
	})

	t.Run("exited", func(t *testing.T) {
		tx, err := chain.NewTransactor(ctx, dn.d.Chain.Client(), dn.d.Registry, chain.NewKeySigner(chain.DevnetOperatorKey(2)), chain.WithReceiptPoll(10*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.RequestExit(ctx, nodeID(2)); err != nil {
			t.Fatal(err)
		}
		cfg := dn.cfg
		cfg.NodeKey = chain.DevnetNodeKey(2)
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "registration", doctor.Fail, "exited", "validator withdraw")
		expect(t, rs, "peers", doctor.Skip, "not active")
	})

	t.Run("jailed", func(t *testing.T) {
		// Validator 0, the only observer left, attests validator 1 offline for
		// a whole report window, moved past on the chain's clock, and reports it.
		c := dn.d.Chain.Client()
		p, err := chain.ReadParams(ctx, c, dn.d.Registry)
		if err != nil {
			t.Fatal(err)
		}
		w := p.Accountability.ReportWindow
		h, err := c.HeaderByNumber(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		head := time.Unix(int64(h.Time), 0)
		window := chain.WindowAt(head, w) + 1
		if err := dn.d.Chain.AdjustTime(chain.WindowStart(window+1, w).Sub(head) + time.Second); err != nil {
			t.Fatal(err)
		}
		secs := uint64(w / time.Second)
		sig, err := chain.SignAttestation(chain.DevnetNodeKey(0), big.NewInt(chain.DevnetChainID), dn.d.Registry, nodeID(1), window, secs)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := chain.NewTransactor(ctx, c, dn.d.Registry, chain.NewKeySigner(chain.DevnetOperatorKey(0)), chain.WithReceiptPoll(10*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ReportOffline(ctx, nodeID(1), window, []chain.Attestation{{Attester: nodeID(0), OfflineSeconds: secs, Signature: sig}}); err != nil {
			t.Fatal(err)
		}
		cfg := dn.cfg
		cfg.NodeKey = chain.DevnetNodeKey(1)
		rs := doctor.Run(ctx, cfg)
		expect(t, rs, "registration", doctor.Fail, "jailed until", "validator unjail --config <file> --top-up 0.32")
	})

	t.Run("chain down", func(t *testing.T) {
		if err := dn.d.Chain.Close(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(chain.MinStallAfter + time.Second)
		rs := doctor.Run(ctx, dn.cfg)
		expect(t, rs, "rpc", doctor.Fail, "chain.rpc_url")
		expect(t, rs, "registry_sync", doctor.Fail, "stalled", "chain.stall_after")
	})
}
