// Package gethdev runs a real geth --dev for integration tests: it finds the
// binary (PATH, GOBIN, GOPATH/bin), starts it on free loopback ports, connects
// over HTTP and WebSocket, and funds accounts from the developer account. A
// missing geth skips the test, or fails it when VALIDATOR_REQUIRE_GETH=1 (CI).
package gethdev

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/build"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"validator/chain"
)

// Install is how to get the geth the integration tests run against (CI pins
// the same version).
const Install = "go install github.com/ethereum/go-ethereum/cmd/geth@v1.16.7"

// RequireEnv=1 makes a missing geth a failure instead of a skip, so CI cannot
// pass without running the integration tests.
const RequireEnv = "VALIDATOR_REQUIRE_GETH"

// Find looks for geth on PATH, then in GOBIN and GOPATH/bin. Without it the
// test skips, or fails when VALIDATOR_REQUIRE_GETH=1.
func Find(t testing.TB) string {
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
	msg := fmt.Sprintf("geth not found on PATH, in GOBIN or in GOPATH/bin; install it with: %s", Install)
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s (%s=1 forbids skipping)", msg, RequireEnv)
	}
	t.Skip(msg)
	return ""
}

// Node is a running geth --dev with clients on its HTTP and WebSocket endpoints.
type Node struct {
	HTTP, WS       *ethclient.Client
	HTTPURL, WSURL string
}

// Start starts geth --dev on free loopback ports and connects to it. geth is
// killed when the test ends; if the test failed, the tail of its log is printed.
// Startup is retried with fresh ports in case another process took one of them.
func Start(t testing.TB, bin string) *Node {
	t.Helper()
	dir := t.TempDir() // removed after the cleanups below, once geth has exited
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		g, err := startOnce(t, bin, filepath.Join(dir, strconv.Itoa(attempt)))
		if err == nil {
			return g
		}
		lastErr = err
	}
	t.Fatal(lastErr)
	return nil
}

func startOnce(t testing.TB, bin, dir string) (*Node, error) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "geth.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 3)
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
			t.Logf("geth log (%s), last lines:\n%s", logPath, logTail(logPath, 40))
		}
	})

	// Connect until geth answers, giving up early if it exits (a port taken).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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
				return nil, fmt.Errorf("geth exited during startup: %w\n%s", err, logTail(logPath, 20))
			default:
				t.Fatalf("geth did not answer on %s: %v\n%s", url, err, logTail(logPath, 40))
			}
		}
		t.Cleanup(c.Close)
		return c, nil
	}
	g := &Node{HTTPURL: fmt.Sprintf("http://127.0.0.1:%d", httpPort), WSURL: fmt.Sprintf("ws://127.0.0.1:%d", wsPort)}
	if g.HTTP, err = dial(g.HTTPURL); err != nil {
		return nil, err
	}
	if g.WS, err = dial(g.WSURL); err != nil {
		return nil, err
	}
	return g, nil
}

// Fund sends amount to each account from geth's unlocked developer account and
// waits for the transfers to be mined.
func (g *Node) Fund(ctx context.Context, t testing.TB, amount *big.Int, accounts ...common.Address) {
	t.Helper()
	rc := g.HTTP.Client()
	var dev []common.Address
	if err := rc.CallContext(ctx, &dev, "eth_accounts"); err != nil || len(dev) == 0 {
		t.Fatalf("geth developer account: %v (accounts %v)", err, dev)
	}
	// One transfer at a time, each mined before the next is sent: geth --dev
	// mines a block per transaction and resets its pool, and a transfer sent
	// meanwhile could be given the nonce of the one just mined ("replacement
	// transaction underpriced", seen in CI under load).
	for _, a := range accounts {
		var h common.Hash
		tx := map[string]any{"from": dev[0], "to": a, "value": (*hexutil.Big)(amount)}
		if err := rc.CallContext(ctx, &h, "eth_sendTransaction", tx); err != nil {
			t.Fatalf("fund %s: %v", a, err)
		}
		for {
			r, err := g.HTTP.TransactionReceipt(ctx, h)
			if err == nil {
				if r.Status != types.ReceiptStatusSuccessful {
					t.Fatalf("fund %s: transfer %s failed", a, h)
				}
				break
			}
			// Not mined yet, or geth still indexing ("transaction indexing is in
			// progress"): look again until ctx ends.
			if ctx.Err() != nil {
				t.Fatalf("fund %s: receipt of %s: %v", a, h, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// freePorts returns n distinct loopback TCP ports that were free a moment ago.
func freePorts(t testing.TB, n int) []int {
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

// logTail returns the last n lines of the file at path.
func logTail(path string, n int) string {
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
