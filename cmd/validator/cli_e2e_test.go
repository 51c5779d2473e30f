//go:build unix

package main_test

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"validator/chain"
	"validator/chain/devchain"
)

// e2eNodeKey writes a fresh node key into dir and returns its path and node ID.
func e2eNodeKey(t *testing.T, dir string) (string, common.Address) {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "node.key")
	if err := crypto.SaveECDSA(p, k); err != nil {
		t.Fatal(err)
	}
	return p, crypto.PubkeyToAddress(k.PublicKey)
}

// e2eDevchain runs an in-process dev chain serving JSON-RPC with an empty
// registry at the devnet preset's address, and returns its RPC URL.
func e2eDevchain(t *testing.T) string {
	t.Helper()
	deployer := chain.NewKeySigner(chain.DevnetDeployerKey)
	c, err := devchain.New(devchain.Config{
		Alloc:    map[common.Address]*big.Int{deployer.Address: new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether))},
		Automine: true,
		HTTPAddr: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stake := new(big.Int).Mul(big.NewInt(32), big.NewInt(params.Ether))
	addr, _, err := chain.Deploy(ctx, c.Client(), deployer, chain.DeployParams{MinStake: stake, UnbondingPeriod: time.Minute}, chain.WithReceiptPoll(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if addr != chain.DevnetRegistry {
		t.Fatalf("registry at %s, the devnet preset expects %s", addr, chain.DevnetRegistry)
	}
	return c.URL()
}

// TestCLIErrors checks that mistakes end with the documented exit code (2 for
// usage errors, 1 for the rest) and a message that names the problem and what
// to do, and that every command's --help exits 0 with an example.
func TestCLIErrors(t *testing.T) {
	e2eBinary(t)
	dir := t.TempDir()
	keyPath, nodeID := e2eNodeKey(t, dir)
	badKeyFile := e2eWriteFile(t, dir, "unknown-key.toml", "[network]\nlisten_addr = [\"/ip4/127.0.0.1/tcp/9000\"]\n")
	deadRPC := fmt.Sprintf("http://127.0.0.1:%d", e2eFreePorts(t, 1)[0])
	rpcURL := e2eDevchain(t)

	// startArgs are the flags of a `start` that would run on this machine
	// (own key, data dir and ports), followed by extra.
	startArgs := func(name string, extra ...string) []string {
		return append([]string{"start",
			"--set", "keys.node_key=" + keyPath,
			"--data-dir", filepath.Join(dir, name),
			"--api-listen", "127.0.0.1:0",
			"--set", "network.listen_addrs=/ip4/127.0.0.1/tcp/0",
		}, extra...)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // substrings of stderr
	}{
		{"no command", nil, 2, []string{"no command", "validator help"}},
		{"unknown command", []string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`, "validator help"}},
		{"unknown flag", []string{"start", "--frobnicate"}, 2, []string{"flag provided but not defined: -frobnicate"}},
		{"unexpected argument", []string{"peers", "extra"}, 2, []string{`unexpected argument "extra"`}},
		{"unknown registry command", []string{"registry", "frobnicate"}, 2, []string{`unknown registry command "frobnicate"`}},
		{"unknown key in file", []string{"start", "--config", badKeyFile}, 1,
			[]string{badKeyFile + ", line 2", `unknown key "network.listen_addr"`, "did you mean network.listen_addrs"}},
		{"unknown key in --set", []string{"start", "--set", "liveness.ping_intervall=1s"}, 1,
			[]string{"liveness.ping_intervall", "did you mean liveness.ping_interval"}},
		{"negative duration", []string{"start", "--set", "liveness.ping_interval=-1s"}, 1,
			[]string{`liveness.ping_interval: "-1s" must be a positive duration`, "set by flag liveness.ping_interval"}},
		{"unparsable duration", []string{"start", "--set", "liveness.ping_timeout=soon"}, 1,
			[]string{`liveness.ping_timeout: "soon" is not a duration`}},
		{"unparsable multiaddr", []string{"start", "--set", "network.listen_addrs=/ip4/127.0.0.1/tcp/9000,/ip4/not-an-ip/tcp/9000"}, 1,
			[]string{`network.listen_addrs[1]: "/ip4/not-an-ip/tcp/9000" is not a multiaddr`}},
		{"missing node key", []string{"start", "--set", "keys.node_key=" + filepath.Join(dir, "absent.key")}, 1,
			[]string{"absent.key not found", "validator init"}},
		// Nothing listens at deadRPC: start gives up after its dial attempts
		// (a few seconds of backoff) and says what to check.
		{"rpc unreachable", startArgs("dead-rpc", "--network", "devnet", "--rpc-url", deadRPC), 1,
			[]string{"connect to rpc " + deadRPC, "rpc_url"}},
		{"node not registered", startArgs("unregistered", "--network", "devnet", "--rpc-url", rpcURL), 1,
			[]string{"node key " + nodeID.Hex() + " is not registered", "validator register"}},
		{"report keystore missing", startArgs("no-reporter", "--network", "devnet", "--rpc-url", rpcURL,
			"--set", "accountability.submit=true", "--set", "accountability.keystore="+filepath.Join(dir, "absent.json")), 1,
			[]string{"accountability.submit: accountability keystore " + filepath.Join(dir, "absent.json"), "leave it empty"}},
		{"bad report window", []string{"devnet", "--offline-threshold", "2h", "--report-window", "1h"}, 2,
			[]string{"--offline-threshold 2h0m0s is longer than --report-window 1h0m0s"}},
		{"fund without an address", []string{"devnet", "fund", "--eth", "1"}, 2, []string{`--to "": want an address`}},
		{"fund with no devnet running", []string{"devnet", "fund", "--to", "0x1111111111111111111111111111111111111111", "--eth", "1", "--rpc", deadRPC}, 1,
			[]string{"connect to rpc " + deadRPC, "start one with `validator devnet`"}},
		{"register without stake", []string{"register", "--network", "devnet", "--rpc-url", rpcURL}, 2,
			[]string{"--stake is required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := e2eRun(t, 60*time.Second, nil, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit code %d, want %d\n%s", r.code, tc.code, r)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q\n%s", w, r)
				}
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stderr shows a crash\n%s", r)
			}
		})
	}

	t.Run("help", func(t *testing.T) {
		t.Parallel()
		// The commands as the binary lists them, so that a new command without
		// a --help example fails here.
		r := e2eMustRun(t, 30*time.Second, nil, "help")
		if !strings.Contains(r.stdout, "validator devnet --validators") {
			t.Errorf("validator help shows no example\n%s", r)
		}
		var cmds []string
		for _, m := range regexp.MustCompile(`(?m)^  ([a-z][a-z-]*)  `).FindAllStringSubmatch(r.stdout, -1) {
			cmds = append(cmds, m[1])
		}
		if len(cmds) < 10 {
			t.Fatalf("validator help lists %d commands: %q\n%s", len(cmds), cmds, r)
		}
		// Commands with subcommands: their own help and each subcommand's.
		sub := map[string][]string{"registry": {"deploy", "list"}, "config": {"dump"}, "devnet": {"fund"}}
		var invocations [][]string
		invocations = append(invocations, []string{"--help"}, []string{"-h"})
		for _, c := range cmds {
			invocations = append(invocations, []string{c, "--help"})
			for _, s := range sub[c] {
				invocations = append(invocations, []string{c, s, "--help"})
			}
		}
		for _, args := range invocations {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := e2eRun(t, 30*time.Second, nil, args...)
				if r.code != 0 {
					t.Errorf("exit code %d, want 0\n%s", r.code, r)
				}
				out := r.stdout + r.stderr
				want := "validator devnet --validators" // the top-level quick start
				if args[0] != "--help" && args[0] != "-h" {
					want = "Example:\n  validator " + strings.Join(args[:len(args)-1], " ")
				}
				if !strings.Contains(out, want) {
					t.Errorf("help does not show an example (%q)\n%s", want, r)
				}
			})
		}
	})
}
