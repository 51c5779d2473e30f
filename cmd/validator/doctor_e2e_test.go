//go:build unix

package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"validator/api"
	"validator/chain"
	"validator/doctor"
)

// TestDoctorCLI runs `validator doctor` as an operator does, with validator
// 0's configuration, against a devnet process: all ok and exit 0; the same
// as a JSON array of {check, status, detail, next}; and with the RPC
// endpoint down, a failure naming chain.rpc_url and exit 1. The checks
// themselves, each with its injected problem, are doctor's tests.
func TestDoctorCLI(t *testing.T) {
	d := e2eStartDevnet(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := api.NewClient(d.apis[0])
	defer c.Close()
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var listen []string // as network.listen_addrs: without /p2p/<peer ID>
	for _, a := range st.ListenAddrs {
		a, _, _ = strings.Cut(a, "/p2p/")
		listen = append(listen, a)
	}
	dir := t.TempDir()
	if err := crypto.SaveECDSA(filepath.Join(dir, "node.key"), chain.DevnetNodeKey(0)); err != nil {
		t.Fatal(err)
	}
	cfg := e2eWriteFile(t, dir, "validator.toml", fmt.Sprintf(`[chain]
network = "devnet"
rpc_url = %q
[keys]
node_key = "node.key"
[network]
listen_addrs = ['%s']
heartbeat_interval = "2s"
[store]
data_dir = %q
[api]
listen = %q
`, d.rpc, strings.Join(listen, "', '"), filepath.Join(d.dir, "validator-0"), d.apis[0]))

	r := e2eRun(t, 60*time.Second, nil, "doctor", "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "ok    registration: node "+st.NodeID.Hex()+" is active") || !strings.Contains(r.stdout, " 0 fail") {
		t.Fatalf("doctor on a healthy devnet validator:\n%s", r)
	}
	t.Logf("\n%s", r.stdout)

	r = e2eRun(t, 60*time.Second, nil, "doctor", "--config", cfg, "--json")
	var rs []doctor.Result
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || r.code != 0 {
		t.Fatalf("doctor --json: %v\n%s", err, r)
	}
	seen := map[string]bool{}
	for _, x := range rs {
		if seen[x.Check] || x.Detail == "" || (x.Status != doctor.OK && x.Status != doctor.Warn && x.Status != doctor.Skip) {
			t.Errorf("doctor --json: %+v", x)
		}
		seen[x.Check] = true
	}
	peer := "peer:" + crypto.PubkeyToAddress(chain.DevnetNodeKey(1).PublicKey).Hex()
	for _, want := range []string{"rpc", "registration", "registry_sync", "listen:" + listen[0], peer + ":quic", peer + ":tcp", "clock_skew", "peer_count", "disk", "store_schema"} {
		if !seen[want] {
			t.Errorf("doctor --json has no %q check", want)
		}
	}

	closed := fmt.Sprintf("http://127.0.0.1:%d", e2eFreePorts(t, 1)[0])
	r = e2eRun(t, 60*time.Second, nil, "doctor", "--config", cfg, "--rpc-url", closed)
	if r.code != 1 || !strings.Contains(r.stdout, "fail  rpc: the Ethereum JSON-RPC endpoint "+closed) ||
		!strings.Contains(r.stdout, "next: start the Ethereum node, or point chain.rpc_url") || !strings.Contains(r.stderr, "checks failed: rpc") {
		t.Fatalf("doctor with the RPC endpoint down:\n%s", r)
	}
}
