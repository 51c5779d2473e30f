//go:build unix

package main_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCLIHelpFlags checks that each command's --help lists exactly the flags
// the command reads (a transaction command shows no --api-listen, --data-dir
// or --log-level) and an example of the command itself.
func TestCLIHelpFlags(t *testing.T) {
	e2eBinary(t)
	config := []string{"config", "network", "rpc-url", "set"}
	daemon := append(slices.Clone(config), "data-dir", "api-listen", "log-level")
	accountability := []string{"report-window", "offline-threshold", "report-deadline", "jail-period", "slash-bps", "committee-size", "slash-sink"}
	for _, tc := range []struct {
		cmd   string
		flags []string
		want  []string // further substrings of the help
	}{
		{"init", []string{"dir", "passphrase-file", "p2p-port", "api-port", "operator-key", "force"}, nil},
		{"start", daemon, []string{"VALIDATOR_CHAIN_NETWORK", "VALIDATOR_LOG_LEVEL"}},
		{"devnet", append([]string{"validators", "rpc", "dir", "p2p-port", "api-port", "log-level", "unbonding"}, accountability...), []string{"fund"}},
		{"devnet fund", []string{"to", "eth", "rpc"}, nil},
		{"registry", nil, []string{"deploy", "list"}},
		{"registry deploy", slices.Concat(config, []string{"min-stake", "unbonding", "admin", "devnet-deployer"}, accountability), nil},
		{"registry list", config, nil},
		{"register", append(slices.Clone(config), "stake", "addr", "metadata"), []string{"VALIDATOR_CHAIN_RPC_URL"}},
		{"update", append(slices.Clone(config), "addr", "metadata", "node"), nil},
		{"exit", append(slices.Clone(config), "node"), nil},
		{"withdraw", append(slices.Clone(config), "node"), nil},
		{"set-role", append(slices.Clone(config), "node", "role"), nil},
		{"unjail", append(slices.Clone(config), "top-up", "node"), nil},
		{"reports", []string{"api", "json"}, []string{"VALIDATOR_API_LISTEN"}},
		{"peers", []string{"api", "json"}, []string{"VALIDATOR_API_LISTEN"}},
		{"status", []string{"api", "json"}, []string{"VALIDATOR_API_LISTEN"}},
		{"evidence", []string{"api", "peer", "since"}, nil},
		{"doctor", append(slices.Clone(config), "data-dir", "api", "json", "timeout"), []string{"api.min_peers"}},
		{"config", nil, []string{"dump"}},
		{"config dump", daemon, nil},
		{"version", nil, nil},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			t.Parallel()
			args := append(strings.Fields(tc.cmd), "--help")
			r := e2eRun(t, 30*time.Second, nil, args...)
			if r.code != 0 {
				t.Fatalf("exit code %d, want 0\n%s", r.code, r)
			}
			out := r.stdout + r.stderr
			// Flag lines start with the flag: "  --name" (or "  -name").
			var got []string
			for _, m := range regexp.MustCompile(`(?m)^\s+--?([a-z][a-z0-9-]*)`).FindAllStringSubmatch(out, -1) {
				if m[1] != "help" && m[1] != "h" {
					got = append(got, m[1])
				}
			}
			slices.Sort(got)
			want := slices.Clone(tc.flags)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("validator %s --help lists flags %q, want %q\n%s", tc.cmd, got, want, out)
			}
			if ex := "Example:\n  validator " + tc.cmd; !strings.Contains(out, ex) {
				t.Errorf("validator %s --help shows no example (%q)\n%s", tc.cmd, ex, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("validator %s --help does not mention %q\n%s", tc.cmd, w, out)
				}
			}
		})
	}
}

// TestCLIConfigPrecedence: a shorthand flag the operator did not set leaves
// the environment's value alone, one they set wins over it, and --set wins
// over the shorthand.
func TestCLIConfigPrecedence(t *testing.T) {
	e2eBinary(t)
	env := []string{"VALIDATOR_LOG_LEVEL=debug", "VALIDATOR_API_LISTEN=127.0.0.1:7555"}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"environment", nil, []string{"level = 'debug'", "listen = '127.0.0.1:7555'"}},
		{"flag over environment", []string{"--log-level", "warn"}, []string{"level = 'warn'", "listen = '127.0.0.1:7555'"}},
		{"--set over shorthand", []string{"--log-level", "warn", "--set", "log.level=error"}, []string{"level = 'error'"}},
		{"list in one --set", []string{"--set", "network.listen_addrs=/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2"},
			[]string{"listen_addrs = ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2']"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := e2eMustRun(t, 30*time.Second, env, append([]string{"config", "dump"}, tc.args...)...)
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("config dump %q does not show %q\n%s", tc.args, w, r)
				}
			}
		})
	}
}
