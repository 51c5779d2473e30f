//go:build unix

package main_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"validator/node"
)

// TestDevnetOperatorJourney follows the README on a running devnet: init a
// node with a passphrase file, fund its operator with `validator devnet fund`,
// run the register command init printed, exit, and withdraw once unbonding
// has passed, with no other transaction in between (the devnet chain mines
// only when one arrives, so its clock stands still).
func TestDevnetOperatorJourney(t *testing.T) {
	e2eBinary(t)
	step := e2eSteps(t)
	const unbonding = 3 * time.Second
	d := e2eStartDevnet(t, 2, "--unbonding", unbonding.String())
	step("devnet ready, RPC %s", d.rpc)
	if !strings.Contains(d.proc.stdout.String(), "validator devnet fund --to") {
		t.Errorf("the devnet banner does not show the faucet:\n%s", d.proc.stdout.String())
	}

	dir := t.TempDir()
	pass := e2eWriteFile(t, dir, "pass.txt", "correct horse battery staple\n")
	valDir := filepath.Join(dir, "myvalidator")
	// Relative, as in the README: init must write a path that works from the
	// config file's directory too.
	relPass, err := filepath.Rel(mustGetwd(t), pass)
	if err != nil {
		t.Fatal(err)
	}
	r := e2eMustRun(t, 90*time.Second, nil, "init", "--dir", valDir, "--passphrase-file", relPass)
	cfgPath := filepath.Join(valDir, "validator.toml")
	m := regexp.MustCompile(`address:\s+(0x[0-9a-fA-F]{40})`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("init does not print the operator address:\n%s", r)
	}
	operator := m[1]

	// The file init wrote: the passphrase file, and ports clear of the devnet's.
	dump := e2eMustRun(t, 30*time.Second, nil, "config", "dump", "--config", cfgPath).stdout
	if !strings.Contains(dump, fmt.Sprintf("passphrase_file = %q", pass)) && !strings.Contains(dump, fmt.Sprintf("passphrase_file = '%s'", pass)) {
		t.Errorf("validator.toml does not name the passphrase file %s:\n%s", pass, dump)
	}
	def := node.DefaultConfig()
	for _, re := range []string{`/(?:udp|tcp)/(\d+)`, `listen = .127\.0\.0\.1:(\d+)`} {
		for _, pm := range regexp.MustCompile(re).FindAllStringSubmatch(dump, -1) {
			p, _ := strconv.Atoi(pm[1])
			if (p >= 9000 && p < 9000+64) || (p >= 7400 && p < 7400+64) {
				t.Errorf("init chose port %d, inside the range `validator devnet` uses by default (p2p 9000+i, API 7400+i); defaults were %v %s", p, def.Network.ListenAddrs, def.API.Listen)
			}
		}
	}

	// The printed next steps, with this devnet's RPC (not 127.0.0.1:8545).
	var fund, register []string
	for _, line := range strings.Split(r.stdout, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 2 && f[0] == "validator" && f[1] == "devnet" && f[2] == "fund":
			fund = append(f[1:], "--rpc", d.rpc)
		case len(f) > 1 && f[0] == "validator" && f[1] == "register":
			register = append(f[1:], "--rpc-url", d.rpc)
		}
	}
	if fund == nil || register == nil || !slices.Contains(register, "--addr") {
		t.Fatalf("init does not print fund and register (with --addr) steps:\n%s", r)
	}
	r = e2eMustRun(t, 60*time.Second, nil, fund...)
	if !strings.Contains(r.stdout, "sent 33 ETH to "+operator) {
		t.Errorf("devnet fund does not confirm:\n%s", r)
	}
	step("funded %s", operator)
	r = e2eMustRun(t, 90*time.Second, nil, register...)
	if !strings.Contains(r.stdout, "registered node") {
		t.Errorf("register does not confirm:\n%s", r)
	}
	step("registered")

	r = e2eMustRun(t, 90*time.Second, nil, "exit", "--config", cfgPath, "--rpc-url", d.rpc)
	m = regexp.MustCompile(`withdraw after (\S+) `).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("exit does not say when to withdraw:\n%s", r)
	}
	at, err := time.Parse(time.RFC3339, m[1])
	if err != nil {
		t.Fatal(err)
	}
	// Past the end of unbonding by the wall clock; the chain has mined
	// nothing since the exit.
	time.Sleep(time.Until(at) + 1500*time.Millisecond)
	r = e2eMustRun(t, 90*time.Second, nil, "withdraw", "--config", cfgPath, "--rpc-url", d.rpc)
	if !strings.Contains(r.stdout, "withdrawn to "+operator) {
		t.Errorf("withdraw does not confirm:\n%s", r)
	}
	step("withdrawn")
	d.proc.terminate(t, 30*time.Second)
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
