package node_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/api"
	"validator/chain"
	"validator/chain/devchain"
	"validator/internal/tcpproxy"
	"validator/internal/testutil"
	"validator/node"
	"validator/reputation"
)

// readyz reads GET /readyz: the status code and the body.
func readyz(t *testing.T, addr string) (int, api.Readiness) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r api.Readiness
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r
}

// A validator whose operator sends requestExit while it runs says so in one
// log line, its /readyz is 503 with the reason, its registration gauge shows
// it, and it records no offline evidence about the peers that now refuse it.
func TestOwnExitIsReportedAndPeersAreNotBlamed(t *testing.T) {
	ctx := context.Background()
	logs := &testutil.LogBuffer{}
	const (
		ping         = 500 * time.Millisecond
		offlineAfter = 2
	)
	d, err := node.StartDevnet(ctx, node.DevnetOptions{
		Validators: 3, Dir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		Tune: func(_ int, c *node.Config) {
			c.Liveness.PingInterval = node.Duration(ping)
			c.Liveness.PingTimeout = node.Duration(ping * 4 / 5)
			c.Liveness.SlowRTT = node.Duration(ping / 2)
			c.Liveness.OfflineAfter = offlineAfter
			c.Liveness.SummaryInterval = node.Duration(time.Second)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(context.Background())
	n := d.Nodes[0]
	self := n.Service().ID().NodeID
	waitFor(t, "validator 0 ready with both peers", func() bool {
		code, _ := readyz(t, n.APIAddr())
		return code == http.StatusOK && n.Service().PeerCount() == 2
	})
	// Both peers answered, so failed probes from now on would make them Offline.
	answered := func(st reputation.State) bool { return st == reputation.Responsive || st == reputation.Slow }
	waitFor(t, "validator 0 to see both peers answer", func() bool {
		states := n.Recorder().States()
		for _, p := range d.Nodes[1:] {
			if !answered(states[p.Service().ID().NodeID].State) {
				return false
			}
		}
		return true
	})
	if got := metricValue(t, n.Metrics(), "validator_node_registration_state", map[string]string{"state": chain.StandingActive}); got != 1 {
		t.Fatalf("registration_state{active} = %v before the exit, want 1", got)
	}

	tx, err := chain.NewTransactor(ctx, d.Chain.Client(), d.Registry, chain.NewKeySigner(chain.DevnetOperatorKey(0)), chain.WithReceiptPoll(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	// What a busy machine may have recorded before the exit is not at issue.
	offlineBefore := metricValue(t, n.Metrics(), "validator_liveness_transitions_total", map[string]string{"to": "offline"})
	offlineLogsBefore := len(logs.Lines("validator=0", "peer liveness changed", "to=offline"))
	if _, err := tx.RequestExit(ctx, self); err != nil {
		t.Fatal(err)
	}

	var r api.Readiness
	waitFor(t, "/readyz to report the exit", func() bool {
		var code int
		code, r = readyz(t, n.APIAddr())
		return code == http.StatusServiceUnavailable && r.Registration == chain.StandingExited
	})
	if len(r.Failing) == 0 || !strings.Contains(r.Failing[0], "exited the registry") {
		t.Fatalf("/readyz failing = %q, want the exit first", r.Failing)
	}
	for st, want := range map[string]float64{chain.StandingActive: 0, chain.StandingPending: 0, chain.StandingExited: 1, chain.StandingNotRegistered: 0} {
		if got := metricValue(t, n.Metrics(), "validator_node_registration_state", map[string]string{"state": st}); got != want {
			t.Errorf("registration_state{%s} = %v, want %v", st, got, want)
		}
	}
	if got := logs.Lines("validator=0", "level=ERROR", `msg="this node is no longer in the registry"`, "reason=exited", "node="+strings.ToLower(self.Hex())); len(got) != 1 {
		t.Errorf("want one ERROR line saying this node exited, got %d:\n%s", len(got), logs)
	}

	// The peers drop this node; its probes of them now fail. Wait until each
	// peer has been probed several times offline_after over, then check none of
	// those failures became evidence.
	waitFor(t, "the peers to disconnect the exited node", func() bool {
		return d.Nodes[1].Service().PeerCount() == 1 && d.Nodes[2].Service().PeerCount() == 1
	})
	waitFor(t, "probes of the peers to be dropped", func() bool {
		return metricValue(t, n.Metrics(), "validator_liveness_observations_dropped_total", nil) >= 2*2*offlineAfter
	})
	if got := metricValue(t, n.Metrics(), "validator_liveness_transitions_total", map[string]string{"to": "offline"}) - offlineBefore; got != 0 {
		t.Errorf("the exited node recorded %v offline transitions about its peers", got)
	}
	for id, st := range n.Recorder().States() {
		if st.State == reputation.Offline {
			t.Errorf("the exited node holds peer %s offline", id)
		}
	}
	if got := logs.Lines("validator=0", "peer liveness changed", "to=offline"); len(got) > offlineLogsBefore {
		t.Errorf("the exited node logged peers offline:\n%s", strings.Join(got, "\n"))
	}

	// Starting the exited key again is refused with what happened, not with
	// "register it" (a key registers only once).
	cfg := node.DefaultConfig()
	cfg.Network.ListenAddrs = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(t))}
	cfg.API.Listen, cfg.Store.DataDir = "127.0.0.1:0", t.TempDir()
	again, err := node.New(node.Options{Config: cfg, NodeKey: chain.DevnetNodeKey(0), Backend: d.Chain.Client(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	err = again.Start(ctx)
	if err == nil || !strings.Contains(err.Error(), "exited the registry") || !strings.Contains(err.Error(), "registers only once") {
		t.Fatalf("starting the exited key: %v, want a refusal that says it exited", err)
	}
}

// soloNode is one registered validator on a dev chain that it reaches through
// a TCP proxy, so the test can cut its RPC.
type soloNode struct {
	n     *node.Node
	chain *devchain.Chain
	proxy *tcpproxy.Proxy
	logs  *testutil.LogBuffer
}

func startSolo(t *testing.T, tune func(*node.Config)) *soloNode {
	t.Helper()
	ctx := context.Background()
	admin, op, nodeKey := key(t, "solo-admin"), key(t, "solo-op"), key(t, "solo-node")
	alloc := map[common.Address]*big.Int{}
	for _, k := range []common.Address{crypto.PubkeyToAddress(admin.PublicKey), crypto.PubkeyToAddress(op.PublicKey)} {
		alloc[k] = new(big.Int).Mul(stake, big.NewInt(10))
	}
	c, err := devchain.New(devchain.Config{Alloc: alloc, Automine: true, HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	registry, _, err := chain.Deploy(ctx, c.Client(), chain.NewKeySigner(admin), chain.DeployParams{MinStake: stake, UnbondingPeriod: time.Hour}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	c.Commit() // blocks between deploy and registration, so a view some
	c.Commit() // confirmations deep sees the registry but not the node yet
	port := freePort(t)
	listen := []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port)}
	tx, err := chain.NewTransactor(ctx, c.Client(), registry, chain.NewKeySigner(op), chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tx.Register(ctx, nodeKey, listen, "", stake); err != nil {
		t.Fatal(err)
	}
	px := tcpproxy.New(t, strings.TrimPrefix(c.URL(), "http://"))

	cfg := node.DefaultConfig()
	cfg.Chain = node.ChainConfig{Network: "solo", ChainID: devchain.ChainID, RPCURL: "http://" + px.Addr(), Registry: registry.Hex(), StallAfter: cfg.Chain.StallAfter}
	cfg.Network.ListenAddrs = listen
	cfg.API.Listen = "127.0.0.1:0"
	cfg.Store.DataDir = t.TempDir()
	if tune != nil {
		tune(&cfg)
	}
	logs := &testutil.LogBuffer{}
	n, err := node.New(node.Options{Config: cfg, NodeKey: nodeKey, Logger: slog.New(slog.NewTextHandler(logs, nil)), SyncTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close(context.Background()) })
	return &soloNode{n: n, chain: c, proxy: px, logs: logs}
}

// With its RPC endpoint down, a node's /readyz turns 503 once no registry sync
// round has succeeded for chain.stall_after, and back to 200 when the endpoint
// returns; the stall and the recovery are logged once each.
func TestStalledRegistrySyncFailsReadiness(t *testing.T) {
	const stallAfter = 3 * time.Second
	s := startSolo(t, func(c *node.Config) {
		c.API.MinPeers = 0 // alone: readiness is the registry's alone
		c.Chain.StallAfter = node.Duration(stallAfter)
	})
	addr := s.n.APIAddr()
	waitFor(t, "ready", func() bool { code, _ := readyz(t, addr); return code == http.StatusOK })

	down := time.Now()
	s.proxy.Down()
	var r api.Readiness
	waitFor(t, "/readyz to report the stalled sync", func() bool {
		var code int
		code, r = readyz(t, addr)
		return code == http.StatusServiceUnavailable
	})
	// A lower bound only (a busy machine makes it later, never earlier): the
	// last success was at most one poll round (1s) before the outage began.
	if took := time.Since(down); took < stallAfter-time.Second {
		t.Errorf("/readyz failed %s after the RPC went down, before chain.stall_after (%s)", took, stallAfter)
	}
	if !r.RegistryStalled || len(r.Failing) != 1 || !strings.Contains(r.Failing[0], "registry sync stalled") {
		t.Fatalf("/readyz = %+v, want only the stalled sync failing", r)
	}
	waitFor(t, "the stall to be logged", func() bool {
		return len(s.logs.Lines("level=ERROR", `msg="registry sync stalled"`)) == 1
	})

	s.proxy.Up()
	waitFor(t, "ready again", func() bool { code, _ := readyz(t, addr); return code == http.StatusOK })
	waitFor(t, "the recovery to be logged", func() bool {
		return len(s.logs.Lines(`msg="registry sync recovered"`)) == 1 && len(s.logs.Lines("level=INFO", "msg=ready ")) == 2
	})
	if got := s.logs.Lines(`msg="registry sync stalled"`); len(got) != 1 {
		t.Errorf("stall logged %d times, want once:\n%s", len(got), s.logs)
	}
	if got := s.logs.Lines("level=WARN", `msg="not ready"`, "registry sync stalled"); len(got) != 1 {
		t.Errorf("want one not-ready line naming the stall, got %d:\n%s", len(got), s.logs)
	}
}

// "ready" is logged only when /readyz says so: a node started with no peer
// to meet api.min_peers logs that it started and why it is not ready.
func TestReadyIsNotLoggedWhileNotReady(t *testing.T) {
	s := startSolo(t, func(c *node.Config) { c.API.MinPeers = 1 })
	code, r := readyz(t, s.n.APIAddr())
	if code != http.StatusServiceUnavailable || len(r.Failing) != 1 || !strings.Contains(r.Failing[0], "0 connected registered peers") {
		t.Fatalf("/readyz = %d %+v, want 503 for want of peers", code, r)
	}
	waitFor(t, "the not-ready line", func() bool {
		return len(s.logs.Lines("level=INFO", `msg="not ready yet"`, "0 connected registered peers")) == 1
	})
	if got := s.logs.Lines("msg=started"); len(got) != 1 {
		t.Errorf("want one started line, got %d:\n%s", len(got), s.logs)
	}
	if got := s.logs.Lines("msg=ready"); len(got) != 0 {
		t.Errorf("ready logged while /readyz is 503:\n%s", strings.Join(got, "\n"))
	}
}

// A node started right after its registration, before chain.confirmations
// blocks confirm it, starts as pending (not refused), says so, is not ready,
// and becomes active by itself once the registration is confirmed.
func TestPendingRegistrationBecomesActive(t *testing.T) {
	s := startSolo(t, func(c *node.Config) {
		c.API.MinPeers = 0
		c.Chain.Confirmations = 2
	})
	addr := s.n.APIAddr()
	code, r := readyz(t, addr)
	if code != http.StatusServiceUnavailable || r.Registration != chain.StandingPending || len(r.Failing) != 1 || !strings.Contains(r.Failing[0], "not yet confirmed") {
		t.Fatalf("/readyz before confirmation = %d %+v", code, r)
	}
	if got := s.logs.Lines("level=WARN", `msg="this node is not active in the registry yet"`, "reason=pending"); len(got) != 1 {
		t.Errorf("want one pending line, got %d:\n%s", len(got), s.logs)
	}
	s.chain.Commit()
	s.chain.Commit()
	waitFor(t, "ready once confirmed", func() bool { code, _ := readyz(t, addr); return code == http.StatusOK })
	waitFor(t, "the activation to be logged", func() bool {
		return len(s.logs.Lines("level=INFO", `msg="this node is now active in the registry"`)) == 1
	})
	if got := metricValue(t, s.n.Metrics(), "validator_node_registration_state", map[string]string{"state": chain.StandingActive}); got != 1 {
		t.Errorf("registration_state{active} = %v, want 1", got)
	}
}
