//go:build unix

package main_test

import (
	"context"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
)

// TestDevnetJailAndUnjail follows the README's accountability section with
// the CLI: a node registered from `validator init` is reported offline by a
// quorum of the devnet's validators (their keys sign; the faucet sends the
// report), `validator unjail` refuses before the jail period ends and while
// the slashed stake is below the minimum, each time saying what to do, and
// then returns the node to the active set; `validator reports` shows the
// registry's parameters as `validator devnet` set them.
func TestDevnetJailAndUnjail(t *testing.T) {
	e2eBinary(t)
	step := e2eSteps(t)
	const window, jail = 10 * time.Second, 8 * time.Second
	d := e2eStartDevnet(t, 3, "--report-window", window.String(), "--offline-threshold", "5s", "--jail-period", jail.String(), "--report-deadline", "10m")
	step("devnet ready, RPC %s", d.rpc)

	r := e2eMustRun(t, 30*time.Second, nil, "reports", "--api", d.apis[0])
	if !strings.Contains(r.stdout, "windows of 10s; jailed at 5s offline in one window") || !strings.Contains(r.stdout, "attesting and submitting reports") {
		t.Errorf("validator reports does not show the devnet's parameters and mode:\n%s", r)
	}

	dir := t.TempDir()
	pass := e2eWriteFile(t, dir, "pass.txt", "correct horse battery staple\n")
	r = e2eMustRun(t, 90*time.Second, nil, "init", "--dir", filepath.Join(dir, "x"), "--passphrase-file", pass)
	cfgPath := filepath.Join(dir, "x", "validator.toml")
	ids := regexp.MustCompile(`node ID:\s+(0x[0-9a-fA-F]{40})`).FindStringSubmatch(r.stdout)
	ops := regexp.MustCompile(`address:\s+(0x[0-9a-fA-F]{40})`).FindStringSubmatch(r.stdout)
	if ids == nil || ops == nil {
		t.Fatalf("init does not print the node ID and operator address:\n%s", r)
	}
	node := common.HexToAddress(ids[1])
	e2eMustRun(t, 60*time.Second, nil, "devnet", "fund", "--to", ops[1], "--eth", "33", "--rpc", d.rpc)
	e2eMustRun(t, 90*time.Second, nil, "register", "--config", cfgPath, "--rpc-url", d.rpc, "--stake", "32", "--addr", "/ip4/127.0.0.1/tcp/1")
	step("registered %s", node)

	r = e2eRun(t, 60*time.Second, nil, "unjail", "--config", cfgPath, "--rpc-url", d.rpc)
	if r.code == 0 || !strings.Contains(r.stderr, "is active, not jailed") {
		t.Errorf("unjail of an active node: want a refusal saying it is not jailed:\n%s", r)
	}

	// A quorum (all 3 observers) of the devnet validators attests the new
	// node offline in a window that began after they registered and is over.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := chain.Dial(ctx, d.rpc, chain.Devnet.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := chain.WindowAt(time.Now(), window) + 1
	time.Sleep(time.Until(chain.WindowStart(w+1, window)) + 1500*time.Millisecond)
	var atts []chain.Attestation
	for i := range 3 {
		k := chain.DevnetNodeKey(i)
		sig, err := chain.SignAttestation(k, new(big.Int).SetUint64(chain.Devnet.ChainID), chain.Devnet.Registry, node, w, 9)
		if err != nil {
			t.Fatal(err)
		}
		atts = append(atts, chain.Attestation{Attester: crypto.PubkeyToAddress(k.PublicKey), OfflineSeconds: 9, Signature: sig})
	}
	tx, err := chain.NewTransactor(ctx, c, chain.Devnet.Registry, chain.NewKeySigner(chain.DevnetDeployerKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ReportOffline(ctx, node, w, atts); err != nil {
		t.Fatalf("report: %v", err)
	}
	step("reported window %d", w)

	r = e2eRun(t, 60*time.Second, nil, "unjail", "--config", cfgPath, "--rpc-url", d.rpc)
	if r.code == 0 || !strings.Contains(r.stderr, "is jailed until") || !strings.Contains(r.stderr, "run `validator unjail` again after that") {
		t.Errorf("unjail during the jail period: want a refusal saying until when:\n%s", r)
	}
	time.Sleep(jail + time.Second)
	r = e2eRun(t, 60*time.Second, nil, "unjail", "--config", cfgPath, "--rpc-url", d.rpc)
	if r.code == 0 || !strings.Contains(r.stderr, "add --top-up 0.32") {
		t.Errorf("unjail with 1%% slashed off a 32 ETH stake: want a refusal asking for --top-up 0.32:\n%s", r)
	}
	r = e2eMustRun(t, 90*time.Second, nil, "unjail", "--config", cfgPath, "--rpc-url", d.rpc, "--top-up", "0.32")
	if !strings.Contains(r.stdout, "is back in the active set") {
		t.Errorf("unjail does not confirm:\n%s", r)
	}
	n, err := chain.ReadNode(ctx, c, chain.Devnet.Registry, node)
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != chain.StatusActive || n.Stake.String() != "32000000000000000000" {
		t.Errorf("after unjail: status %s, stake %s wei; want active with 32 ETH", n.Status, n.Stake)
	}
	step("unjailed")
	d.proc.terminate(t, 30*time.Second)
}
