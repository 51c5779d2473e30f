//go:build unix

package main_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"validator/api"
	"validator/internal/gethdev"
)

// e2eValidator is one validator run from its own directory by the CLI.
type e2eValidator struct {
	i                int
	dir, config      string
	operator         *ecdsa.PrivateKey
	nodeID           common.Address
	p2pPort, apiPort int
	proc             *e2eProc
}

func (v *e2eValidator) api() string { return fmt.Sprintf("127.0.0.1:%d", v.apiPort) }

// flags are the config flags every command of this validator takes: its
// validator.toml and --set overrides for the chain, its ports, and short
// probing intervals.
func (v *e2eValidator) flags(rpcURL string, registry common.Address, passFile string) []string {
	sets := []string{
		"chain.network=gethdev",
		"chain.rpc_url=" + rpcURL,
		"chain.chain_id=1337",
		"chain.registry=" + registry.Hex(),
		"keys.passphrase_file=" + passFile,
		fmt.Sprintf("network.listen_addrs=/ip4/127.0.0.1/tcp/%d", v.p2pPort),
		"network.heartbeat_interval=1s",
		"api.listen=" + v.api(),
		"store.data_dir=" + filepath.Join(v.dir, "data"),
		"liveness.ping_interval=1s",
		"liveness.ping_timeout=500ms",
		"liveness.slow_rtt=200ms",
		"liveness.summary_interval=5s",
	}
	args := []string{"--config", v.config}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return args
}

// e2eParallel runs f(i) for i in [0, n) concurrently and waits.
func e2eParallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// TestGethCLIEndToEnd drives a real geth --dev only through the CLI: init
// three validators with known operator keys, deploy the registry, register
// them, start three daemons that find each other through the registry, exit
// one and check that the other two disconnect it, and stop all with SIGTERM.
func TestGethCLIEndToEnd(t *testing.T) {
	gethBin := gethdev.Find(t)
	bin := e2eBinary(t)
	step := e2eSteps(t)
	g := gethdev.Start(t, gethBin)
	step("geth --dev up at %s", g.HTTPURL)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	const n = 3
	root := t.TempDir()
	passFile := e2eWriteFile(t, root, "passphrase", "correct horse battery staple\n")
	ports := e2eFreePorts(t, 2*n)
	vals := make([]*e2eValidator, n)
	var operators []common.Address
	for i := range vals {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, fmt.Sprintf("validator-%d", i))
		vals[i] = &e2eValidator{i: i, dir: dir, config: filepath.Join(dir, "validator.toml"), operator: k, p2pPort: ports[2*i], apiPort: ports[2*i+1]}
		operators = append(operators, crypto.PubkeyToAddress(k.PublicKey))
	}
	g.Fund(ctx, t, new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether)), operators...)

	// validator init, importing the funded operator keys. Keystore encryption
	// is slow by design: run the three at once.
	nodeIDRe := regexp.MustCompile(`node ID:\s+(0x[0-9a-fA-F]{40})`)
	e2eParallel(n, func(i int) {
		v := vals[i]
		r, err := e2eExec(bin, 90*time.Second, nil, "init", "--dir", v.dir, "--passphrase-file", passFile, "--operator-key", hex.EncodeToString(crypto.FromECDSA(v.operator)))
		if err != nil {
			t.Errorf("init validator %d: %v", i, err)
			return
		}
		if r.code != 0 {
			t.Errorf("init validator %d:\n%s", i, r)
			return
		}
		if !strings.Contains(r.stdout, operators[i].Hex()) {
			t.Errorf("init validator %d does not show the imported operator %s:\n%s", i, operators[i], r.stdout)
		}
		m := nodeIDRe.FindStringSubmatch(r.stdout)
		if m == nil {
			t.Errorf("init validator %d does not show the node ID:\n%s", i, r.stdout)
			return
		}
		v.nodeID = common.HexToAddress(m[1])
	})
	if t.Failed() {
		t.FailNow()
	}
	step("initialised %d validators", n)

	// registry deploy from validator 0's operator. It runs with the devnet
	// preset (chain ID 1337, as geth --dev) pointed at this geth, because the
	// custom network the daemons use fails validation without chain.registry:
	// the very address deploy is about to print.
	r := e2eMustRun(t, 90*time.Second, nil, "registry", "deploy",
		"--config", vals[0].config, "--network", "devnet", "--rpc-url", g.HTTPURL, "--set", "keys.passphrase_file="+passFile,
		"--min-stake", "32", "--unbonding", "1m")
	m := regexp.MustCompile(`registry deployed at (0x[0-9a-fA-F]{40})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("registry deploy does not print the address:\n%s", r)
	}
	registry := common.HexToAddress(m[1])
	if code, err := g.HTTP.CodeAt(ctx, registry, nil); err != nil || len(code) == 0 {
		t.Fatalf("no contract at the printed registry address %s: %v", registry, err)
	}
	step("registry deployed at %s", registry)

	// register each node (three operators: their transactions do not race).
	e2eParallel(n, func(i int) {
		v := vals[i]
		args := append([]string{"register"}, v.flags(g.HTTPURL, registry, passFile)...)
		args = append(args, "--stake", "32", "--addr", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", v.p2pPort))
		r, err := e2eExec(bin, 90*time.Second, nil, args...)
		if err != nil {
			t.Errorf("register validator %d: %v", i, err)
			return
		}
		if r.code != 0 {
			t.Errorf("register validator %d:\n%s", i, r)
			return
		}
		if !strings.Contains(r.stdout, "registered node "+v.nodeID.Hex()) {
			t.Errorf("register validator %d does not confirm node %s:\n%s", i, v.nodeID, r.stdout)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	step("registered %d validators", n)
	r = e2eMustRun(t, 60*time.Second, nil, append([]string{"registry", "list"}, vals[0].flags(g.HTTPURL, registry, passFile)...)...)
	for _, v := range vals {
		if !strings.Contains(r.stdout, v.nodeID.Hex()) {
			t.Errorf("registry list does not list validator %d (%s):\n%s", v.i, v.nodeID, r.stdout)
		}
	}

	// Three daemons.
	var procs []*e2eProc
	for _, v := range vals {
		v.proc = e2eStart(t, fmt.Sprintf("validator %d", v.i), nil, append([]string{"start"}, v.flags(g.HTTPURL, registry, passFile)...)...)
		procs = append(procs, v.proc)
	}
	clients := make([]*api.Client, n)
	for i, v := range vals {
		clients[i] = api.NewClient(v.api())
		defer clients[i].Close()
	}
	peerIDs := make([]string, n)
	e2eWaitFor(t, "every validator connected to the other two", 90*time.Second, procs, func() error {
		for i, c := range clients {
			st, err := c.Status(ctx)
			if err != nil {
				return fmt.Errorf("validator %d: %w", i, err)
			}
			if st.NodeID != vals[i].nodeID {
				t.Fatalf("validator %d runs as node %s, initialised as %s", i, st.NodeID, vals[i].nodeID)
			}
			peerIDs[i] = st.PeerID
			if st.PeerCount != n-1 {
				return fmt.Errorf("validator %d has %d peers", i, st.PeerCount)
			}
		}
		return nil
	})
	step("every validator has %d peers", n-1)
	// The CLI's view agrees.
	for i, v := range vals {
		r := e2eMustRun(t, 30*time.Second, nil, "peers", "--api", v.api(), "--json")
		var peers []api.Peer
		if err := json.Unmarshal([]byte(r.stdout), &peers); err != nil {
			t.Fatalf("validator peers --json of validator %d: %v\n%s", i, err, r)
		}
		for _, w := range vals {
			if w != v && !slices.ContainsFunc(peers, func(p api.Peer) bool { return p.NodeID == w.nodeID && p.Connected && p.Registered }) {
				t.Errorf("validator %d: peers --json does not list validator %d (%s) as connected: %s", i, w.i, w.nodeID, r.stdout)
			}
		}
	}

	// Validator 2 leaves: the others must drop it once the exit is on chain.
	exiting := vals[2]
	r = e2eMustRun(t, 90*time.Second, nil, append([]string{"exit"}, exiting.flags(g.HTTPURL, registry, passFile)...)...)
	if !strings.Contains(r.stdout, "node "+exiting.nodeID.Hex()+" left the active set") {
		t.Errorf("exit does not confirm:\n%s", r)
	}
	step("validator 2 exited")
	connectedToExiting := func(i int) (bool, error) {
		peers, err := clients[i].Peers(ctx)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(peers, func(p api.Peer) bool {
			return p.Connected && (p.NodeID == exiting.nodeID || p.PeerID == peerIDs[exiting.i])
		}), nil
	}
	e2eWaitFor(t, "validators 0 and 1 disconnect the exited validator 2", 30*time.Second, procs, func() error {
		for i := range n - 1 {
			c, err := connectedToExiting(i)
			if err != nil {
				return fmt.Errorf("validator %d: %w", i, err)
			}
			if c {
				return fmt.Errorf("validator %d still connected to validator 2", i)
			}
		}
		return nil
	})
	step("validators 0 and 1 disconnected validator 2")
	// And it stays out: validator 2 still runs and would redial, but the
	// others' connection gaters refuse an unregistered peer.
	time.Sleep(3 * time.Second)
	for i := range n - 1 {
		if c, err := connectedToExiting(i); err != nil || c {
			t.Errorf("validator %d: connected to the exited validator 2 again (err %v)", i, err)
		}
		st, err := clients[i].Status(ctx)
		if err != nil || st.PeerCount != 1 {
			t.Errorf("validator %d: %d registered peers after the exit, want 1 (err %v)", i, st.PeerCount, err)
		}
	}

	var wg sync.WaitGroup
	for _, v := range vals {
		wg.Go(func() { v.proc.terminate(t, 30*time.Second) })
	}
	wg.Wait()
	step("all stopped")
}
