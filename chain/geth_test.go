package chain_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"go/build"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"validator/chain"
)

// gethInstall is how to get the geth the integration test runs against (CI pins
// the same version).
const gethInstall = "go install github.com/ethereum/go-ethereum/cmd/geth@v1.16.7"

// requireGethEnv makes a missing geth a failure instead of a skip, so CI cannot
// pass without running the integration test.
const requireGethEnv = "VALIDATOR_REQUIRE_GETH"

// TestGethRegistryFollowsExit runs the registry view against a real geth --dev:
// it registers three nodes from three operators, syncs a view over WebSocket
// (woken only by pushed heads) and one over HTTP (polling), and checks that an
// exit reaches both as a Removed change from the ExitRequested event, without a
// re-snapshot.
func TestGethRegistryFollowsExit(t *testing.T) {
	g := startGeth(t, gethFind(t))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const unbondingPeriod = time.Minute
	admin := chain.NewKeySigner(key(t, "geth-admin"))
	operators := make([]*chain.Signer, 3)
	accounts := []common.Address{admin.Address}
	for i := range operators {
		operators[i] = chain.NewKeySigner(key(t, fmt.Sprintf("geth-operator-%d", i)))
		accounts = append(accounts, operators[i].Address)
	}
	g.fund(ctx, t, ether(100), accounts...)

	poll := chain.WithReceiptPoll(20 * time.Millisecond)
	registry, _, err := chain.Deploy(ctx, g.http, admin, chain.DeployParams{MinStake: minStake, UnbondingPeriod: unbondingPeriod}, poll)
	if err != nil {
		t.Fatal(err)
	}
	txs := make([]*chain.Transactor, len(operators))
	ids := make([]common.Address, len(operators))
	nodeKeys := make([]*ecdsa.PrivateKey, len(operators))
	for i, op := range operators {
		if txs[i], err = chain.NewTransactor(ctx, g.http, registry, op, poll); err != nil {
			t.Fatal(err)
		}
		nodeKeys[i] = key(t, fmt.Sprintf("geth-node-%d", i))
		addrs := []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 4001+i)}
		if ids[i], _, err = txs[i].Register(ctx, nodeKeys[i], addrs, fmt.Sprintf("name=node-%d", i), minStake); err != nil {
			t.Fatalf("register node %d: %v", i, err)
		}
	}

	type view struct {
		name string
		gethView
		sub    *chain.Subscription
		synced uint64
	}
	views := []*view{
		// An hour-long poll: the WebSocket view only moves when geth pushes a head.
		{name: "ws", gethView: startGethView(t, g.ws, registry, time.Hour)},
		{name: "http", gethView: startGethView(t, g.http, registry, 100*time.Millisecond)},
	}
	for _, v := range views {
		if err := v.WaitSynced(ctx); err != nil {
			t.Fatalf("%s view: %v", v.name, err)
		}
		active, sub := v.Subscribe()
		t.Cleanup(sub.Close)
		v.sub = sub
		v.synced = v.Status().Block
		if got := gethNodeIDs(active); !slices.Equal(got, gethSorted(ids)) {
			t.Fatalf("%s view after sync: active %v, want %v", v.name, got, gethSorted(ids))
		}
	}

	const exiting = 1
	exit, err := txs[exiting].RequestExit(ctx, ids[exiting])
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := g.http.HeaderByNumber(ctx, new(big.Int).SetUint64(exit.Block))
	if err != nil {
		t.Fatal(err)
	}
	wantWithdrawable := time.Unix(int64(hdr.Time), 0).Add(unbondingPeriod).UTC()
	remaining := gethSorted([]common.Address{ids[0], ids[2]})

	for _, v := range views {
		var c chain.Change
		select {
		case got, ok := <-v.sub.Changes():
			if !ok {
				t.Fatalf("%s view: subscription ended: %v", v.name, v.sub.Err())
			}
			c = got
		case <-time.After(15 * time.Second):
			t.Fatalf("%s view: no change within 15s of the exit in block %d (status %+v)", v.name, exit.Block, v.Status())
		}
		// Exiting status and the withdrawal time come only from the ExitRequested
		// event; a re-snapshot would report the node as it was last seen (active).
		if c.Kind != chain.Removed || c.Node.ID != ids[exiting] || c.Block != exit.Block ||
			c.Node.Status != chain.StatusExiting || !c.Node.WithdrawableAt.Equal(wantWithdrawable) {
			t.Errorf("%s view: change %s node %s block %d status %s withdrawable %s; want removed %s block %d exiting %s",
				v.name, c.Kind, c.Node.ID, c.Block, c.Node.Status, c.Node.WithdrawableAt, ids[exiting], exit.Block, wantWithdrawable)
		}
		select {
		case extra := <-v.sub.Changes():
			t.Errorf("%s view: unexpected second change %s of %s", v.name, extra.Kind, extra.Node.ID)
		default:
		}

		if got := gethNodeIDs(v.Active()); !slices.Equal(got, remaining) {
			t.Errorf("%s view: active %v, want %v", v.name, got, remaining)
		}
		for i, nk := range nodeKeys {
			pid := gethPeerID(t, nk)
			n, ok := v.NodeByPeer(pid)
			switch {
			case i == exiting && ok:
				t.Errorf("%s view: exited node %s still found by peer %s", v.name, ids[i], pid)
			case i != exiting && (!ok || n.ID != ids[i] || n.Operator != operators[i].Address || n.PeerID != pid):
				t.Errorf("%s view: NodeByPeer(%s) = %s (operator %s, found %t), want %s of %s", v.name, pid, n.ID, n.Operator, ok, ids[i], operators[i].Address)
			}
		}

		st := v.Status()
		if st.Block < exit.Block || st.Block <= v.synced || st.Nodes != 2 || st.LastError != nil {
			t.Errorf("%s view: status %+v after exit in block %d (synced at %d)", v.name, st, exit.Block, v.synced)
		}
		for _, m := range []struct {
			name, label, value string
			want               float64
		}{
			{"validator_chain_snapshots_total", "reason", "initial", 1},
			{"validator_chain_snapshots_total", "reason", "reorg", 0},
			{"validator_chain_membership_changes_total", "kind", "added", 3},
			{"validator_chain_membership_changes_total", "kind", "removed", 1},
			{"validator_chain_registry_events_total", "result", "invalid", 0},
		} {
			if got := gethMetric(t, v.Metrics, m.name, m.label, m.value); got != m.want {
				t.Errorf("%s view: %s{%s=%q} = %v, want %v", v.name, m.name, m.label, m.value, got, m.want)
			}
		}
		if got := gethMetric(t, v.Metrics, "validator_chain_registry_events_total", "result", "applied"); got < 1 {
			t.Errorf("%s view: no registry event applied after the snapshot", v.name)
		}
	}
}

// gethFind looks for geth on PATH, then in GOBIN and GOPATH/bin. Without it the
// test skips, or fails when VALIDATOR_REQUIRE_GETH=1.
func gethFind(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("geth"); err == nil {
		return p
	}
	var dirs []string
	var goEnv struct{ GOBIN, GOPATH string }
	if out, err := exec.Command("go", "env", "-json", "GOBIN", "GOPATH").Output(); err == nil && json.Unmarshal(out, &goEnv) == nil {
		dirs = append(dirs, goEnv.GOBIN)
		for _, p := range filepath.SplitList(goEnv.GOPATH) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	dirs = append(dirs, os.Getenv("GOBIN"))
	for _, p := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(p, "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, "geth")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	msg := fmt.Sprintf("geth not found on PATH, in GOBIN or in GOPATH/bin; install it with: %s", gethInstall)
	if os.Getenv(requireGethEnv) == "1" {
		t.Fatalf("%s (%s=1 forbids skipping)", msg, requireGethEnv)
	}
	t.Skip(msg)
	return ""
}

// gethNode is a running geth --dev with clients on its HTTP and WebSocket endpoints.
type gethNode struct {
	http, ws *ethclient.Client
}

// startGeth starts geth --dev on free loopback ports and connects to it. geth is
// killed when the test ends; if the test failed, the tail of its log is printed.
// Startup is retried with fresh ports in case another process took one of them.
func startGeth(t *testing.T, bin string) *gethNode {
	t.Helper()
	dir := t.TempDir() // removed after the cleanups below, once geth has exited
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		g, err := startGethOnce(t, bin, filepath.Join(dir, strconv.Itoa(attempt)))
		if err == nil {
			return g
		}
		lastErr = err
	}
	t.Fatal(lastErr)
	return nil
}

func startGethOnce(t *testing.T, bin, dir string) (*gethNode, error) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "geth.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ports := gethFreePorts(t, 3)
	httpPort, wsPort, authPort := ports[0], ports[1], ports[2]
	cmd := exec.Command(bin,
		"--dev", "--dev.period", "0",
		"--datadir", filepath.Join(dir, "data"),
		"--ipcdisable",
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(httpPort), "--http.api", "eth,net,web3",
		"--ws", "--ws.addr", "127.0.0.1", "--ws.port", strconv.Itoa(wsPort), "--ws.api", "eth,net,web3",
		"--authrpc.port", strconv.Itoa(authPort),
		"--nodiscover", "--maxpeers", "0", "--port", "0",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("geth log (%s), last lines:\n%s", logPath, gethLogTail(logPath, 40))
		}
	})

	// Connect until geth answers, giving up early if it exits (a port taken).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		select {
		case <-exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	dial := func(url string) (*ethclient.Client, error) {
		c, err := chain.Dial(ctx, url, chain.DevnetChainID, chain.WithDialAttempts(0), chain.WithDialBackoff(20*time.Millisecond, 200*time.Millisecond))
		if err != nil {
			select {
			case <-exited:
				return nil, fmt.Errorf("geth exited during startup: %w\n%s", err, gethLogTail(logPath, 20))
			default:
				t.Fatalf("geth did not answer on %s: %v\n%s", url, err, gethLogTail(logPath, 40))
			}
		}
		t.Cleanup(c.Close)
		return c, nil
	}
	g := &gethNode{}
	if g.http, err = dial(fmt.Sprintf("http://127.0.0.1:%d", httpPort)); err != nil {
		return nil, err
	}
	if g.ws, err = dial(fmt.Sprintf("ws://127.0.0.1:%d", wsPort)); err != nil {
		return nil, err
	}
	return g, nil
}

// fund sends amount to each account from geth's unlocked developer account and
// waits for the transfers to be mined.
func (g *gethNode) fund(ctx context.Context, t *testing.T, amount *big.Int, accounts ...common.Address) {
	t.Helper()
	rc := g.http.Client()
	var dev []common.Address
	if err := rc.CallContext(ctx, &dev, "eth_accounts"); err != nil || len(dev) == 0 {
		t.Fatalf("geth developer account: %v (accounts %v)", err, dev)
	}
	hashes := make([]common.Hash, len(accounts))
	for i, a := range accounts {
		tx := map[string]any{"from": dev[0], "to": a, "value": (*hexutil.Big)(amount)}
		if err := rc.CallContext(ctx, &hashes[i], "eth_sendTransaction", tx); err != nil {
			t.Fatalf("fund %s: %v", a, err)
		}
	}
	for i, h := range hashes {
		for {
			r, err := g.http.TransactionReceipt(ctx, h)
			if err == nil {
				if r.Status != types.ReceiptStatusSuccessful {
					t.Fatalf("fund %s: transfer %s failed", accounts[i], h)
				}
				break
			}
			// Not mined yet, or geth still indexing ("transaction indexing is in
			// progress"): look again until ctx ends.
			if ctx.Err() != nil {
				t.Fatalf("fund %s: receipt of %s: %v", accounts[i], h, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// gethView is a running registry view and the metrics it registered.
type gethView struct {
	*chain.Registry
	Metrics *prometheus.Registry
}

// startGethView runs a registry view until the test ends.
func startGethView(t *testing.T, backend chain.Backend, registry common.Address, poll time.Duration) gethView {
	t.Helper()
	metrics := prometheus.NewRegistry()
	r, err := chain.NewRegistry(backend, registry,
		chain.WithPollInterval(poll),
		chain.WithBackoff(50*time.Millisecond, time.Second),
		chain.WithRegisterer(metrics),
		chain.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("registry view: %v", err)
		}
	})
	return gethView{Registry: r, Metrics: metrics}
}

// gethFreePorts returns n distinct loopback TCP ports that were free a moment ago.
func gethFreePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close() // held until all are picked, so they differ
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// gethLogTail returns the last n lines of the file at path.
func gethLogTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(read %s: %v)", path, err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// gethMetric reads the counter or gauge name{label=value} from g.
func gethMetric(t *testing.T, g prometheus.Gatherer, name, label, value string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() != label || lp.GetValue() != value {
					continue
				}
				if c := m.GetCounter(); c != nil {
					return c.GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("metric %s{%s=%q} not registered", name, label, value)
	return 0
}

func gethNodeIDs(nodes []chain.Node) []common.Address {
	ids := make([]common.Address, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return ids
}

func gethSorted(ids []common.Address) []common.Address {
	s := slices.Clone(ids)
	slices.SortFunc(s, func(a, b common.Address) int { return a.Cmp(b) })
	return s
}

func gethPeerID(t *testing.T, k *ecdsa.PrivateKey) peer.ID {
	t.Helper()
	id, err := chain.PeerIDFromPubKey(chain.PubKeyBytes(&k.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return id
}
