//go:build linux

package main_test

// The multi-host fault harness: real `validator start` processes, each in its
// own network namespace with its own address (an internal/netns lab), a real
// geth --dev in the root namespace that every host reaches over the lab, QUIC
// and TCP between the hosts' addresses. Every validator publishes numbered
// messages through its API and every validator follows the topic over SSE
// while the harness applies, one after the other:
//
//   - SIGSTOP of one validator for the hold, then SIGCONT;
//   - kill -9 of another, down for half the hold, then a restart on the same
//     data directory;
//   - SIGSTOP of geth for the hold (the chain's RPC hangs), then SIGCONT;
//   - one host's link taken down at the router for the hold (it loses its
//     peers and the chain's RPC), then up;
//   - a half/half partition for the hold (blackhole rules in the router, so
//     both halves keep the chain and the test's view of them), then a heal.
//
// and checks: gossip across the healed cut within 5 s for every publisher and
// follower pair, and every validator connected to every other again (the
// mesh) within 5 s; offline evidence recorded on both sides of the partition;
// no message lost between two validators while neither was faulted and no
// cut lay between them; the killed validator's store reopens with the
// evidence it had exported before the kill; no validator ever sees a peer
// offline (or unreached) outside a fault of that peer, of itself, or of the
// link between them.
//
// The short form (8 processes, 15 s holds, one round, about three minutes)
// runs with the package's tests. The long form:
//
//	go test ./cmd/validator -run TestFaults -count=1 -v -timeout 40m \
//	    -faults.nodes=30 -faults.hold=60s -faults.duration=10m
//
// repeats the rounds for at least -faults.duration and reports each
// validator's RSS (/proc/<pid>/status VmRSS) and goroutines (go_goroutines
// from /metrics) at the start and the end.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"validator/api"
	"validator/chain"
	"validator/evidence"
	"validator/internal/gethdev"
	"validator/internal/netns"
	"validator/node"
)

var (
	faultsNodes      = flag.Int("faults.nodes", 8, "validators of TestFaults, each in its own namespace (long form: 30)")
	faultsHold       = flag.Duration("faults.hold", 15*time.Second, "how long each fault of TestFaults lasts: SIGSTOP, geth stopped, link down, partition; a killed node stays down half of it (the issue's figure: 60s)")
	faultsDuration   = flag.Duration("faults.duration", 0, "repeat TestFaults' rounds of faults until this much time has passed (long form: 10m); 0: one round")
	faultsPublishers = flag.Int("faults.publishers", 8, "validators of TestFaults that publish (spread over both halves); every validator follows")
	faultsEvery      = flag.Duration("faults.every", 250*time.Millisecond, "publish interval of each publisher in TestFaults")
	faultsLogLevel   = flag.String("faults.log-level", "info", "log.level of TestFaults' validators (debug with -e2e.logs to see why a pair stays apart)")
)

// fhGeth is geth --dev in the root namespace, serving JSON-RPC on the lab's
// root address.
type fhGeth struct {
	cmd  *exec.Cmd
	done chan struct{}
	url  string
	log  string
}

// fhStartGeth starts geth --dev with a block a second (so a stopped geth is a
// head that stops moving, as well as RPC calls that hang) on the lab's root
// address. It is killed when the test ends.
func fhStartGeth(t *testing.T, lab *netns.Lab) *fhGeth {
	t.Helper()
	bin := gethdev.Find(t)
	dir := t.TempDir()
	port := func(host string) int {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	httpPort, authPort := port(lab.RootAddr.String()), port("127.0.0.1")
	g := &fhGeth{done: make(chan struct{}), url: fmt.Sprintf("http://%s", net.JoinHostPort(lab.RootAddr.String(), strconv.Itoa(httpPort))), log: filepath.Join(dir, "geth.log")}
	logFile, err := os.Create(g.log)
	if err != nil {
		t.Fatal(err)
	}
	g.cmd = exec.Command(bin,
		"--dev", "--dev.period", "1",
		"--datadir", filepath.Join(dir, "data"),
		"--ipcdisable",
		"--http", "--http.addr", lab.RootAddr.String(), "--http.port", strconv.Itoa(httpPort), "--http.api", "eth,net,web3", "--http.vhosts", "*",
		"--authrpc.port", strconv.Itoa(authPort),
		"--nodiscover", "--maxpeers", "0", "--port", "0",
	)
	g.cmd.Stdout, g.cmd.Stderr = logFile, logFile
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := g.cmd.Start(); err != nil {
		t.Fatalf("start geth: %v", err)
	}
	go func() {
		_ = g.cmd.Wait()
		logFile.Close()
		close(g.done)
	}()
	t.Cleanup(func() {
		_ = g.cmd.Process.Signal(syscall.SIGCONT)
		_ = g.cmd.Process.Kill()
		<-g.done
		if t.Failed() {
			if b, err := os.ReadFile(g.log); err == nil {
				t.Logf("geth log, last lines:\n%s", e2eTail(string(b), 30))
			}
		}
	})
	return g
}

// fhStartNet is nsStartNet over a real geth: a lab of n hosts, geth --dev
// reachable from all of them, the registry deployed at the devnet preset's
// address and one validator registered per host. No validator runs.
func fhStartNet(t *testing.T, n int) (*nsNet, *fhGeth) {
	t.Helper()
	e2eBinary(t)
	lab := netns.New(t, n)
	g := fhStartGeth(t, lab)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := chain.Dial(ctx, g.url, chain.DevnetChainID, chain.WithDialAttempts(0), chain.WithDialBackoff(50*time.Millisecond, 500*time.Millisecond))
	if err != nil {
		t.Fatalf("geth on %s: %v", g.url, err)
	}
	t.Cleanup(c.Close)
	nodeKeys := make([]*ecdsa.PrivateKey, n)
	operators := make([]*ecdsa.PrivateKey, n)
	fund := []common.Address{crypto.PubkeyToAddress(chain.DevnetDeployerKey.PublicKey)}
	for i := range n {
		if nodeKeys[i], err = crypto.GenerateKey(); err != nil {
			t.Fatal(err)
		}
		if operators[i], err = crypto.GenerateKey(); err != nil {
			t.Fatal(err)
		}
		fund = append(fund, crypto.PubkeyToAddress(operators[i].PublicKey))
	}
	(&gethdev.Node{HTTP: c}).Fund(ctx, t, new(big.Int).Mul(big.NewInt(100), big.NewInt(params.Ether)), fund...)
	poll := chain.WithReceiptPoll(50 * time.Millisecond)
	registry, _, err := chain.Deploy(ctx, c, chain.NewKeySigner(chain.DevnetDeployerKey), chain.DeployParams{MinStake: node.DevnetStake, UnbondingPeriod: time.Minute}, poll)
	if err != nil {
		t.Fatalf("deploy registry: %v", err)
	}
	if registry != chain.Devnet.Registry {
		t.Fatalf("registry deployed at %s, the devnet preset expects %s", registry, chain.Devnet.Registry)
	}
	nt := &nsNet{lab: lab, hc: lab.HTTPClient(5 * time.Second), stream: lab.HTTPClient(0), rpcURL: g.url}
	root := t.TempDir()
	for i, h := range lab.Hosts {
		v := &nsValidator{i: i, addr: h.Addr.String(), id: crypto.PubkeyToAddress(nodeKeys[i].PublicKey), dir: filepath.Join(root, fmt.Sprintf("validator-%d", i))}
		if err := os.MkdirAll(v.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		v.keyFile = filepath.Join(v.dir, "node.key")
		if err := crypto.SaveECDSA(v.keyFile, nodeKeys[i]); err != nil {
			t.Fatal(err)
		}
		nt.vals = append(nt.vals, v)
	}
	// One operator each: their transactions do not race for nonces.
	e2eParallel(n, func(i int) {
		v := nt.vals[i]
		tx, err := chain.NewTransactor(ctx, c, registry, chain.NewKeySigner(operators[i]), poll)
		if err == nil {
			_, _, err = tx.Register(ctx, nodeKeys[i], v.listenAddrs(), fmt.Sprintf("fault harness validator %d", i), node.DevnetStake)
		}
		if err != nil {
			t.Errorf("register validator %d: %v", i, err)
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	return nt, g
}

// fhSent is one publish: when it began and whether the node accepted it.
type fhSent struct {
	at time.Time
	ok bool
}

// fhTraffic publishes numbered messages on jobs from some validators and
// follows jobs on every validator, recording each message's first arrival.
type fhTraffic struct {
	nt   *nsNet
	ids  map[common.Address]int
	pubs []int

	mu      sync.Mutex
	sent    [][]fhSent            // [publisher] by sequence number
	arrived [][]map[int]time.Time // [follower][publisher] sequence number → first arrival
	opens   [][]time.Time         // [follower] when each stream opened
	reopen  []context.CancelFunc  // [follower] ends the current stream
	pubErrs []int
	lastErr []error
	errAt   [][]time.Time // [publisher] when each refused or failed publish began
	errKind [][]string    // [publisher] and what it was (fhErrKind)

	stopPub, stopSub context.CancelFunc
	pubWG, subWG     sync.WaitGroup
}

func fhStartTraffic(t *testing.T, nt *nsNet, pubs []int) *fhTraffic {
	t.Helper()
	n := len(nt.vals)
	tr := &fhTraffic{nt: nt, ids: map[common.Address]int{}, pubs: pubs,
		sent: make([][]fhSent, n), arrived: make([][]map[int]time.Time, n), opens: make([][]time.Time, n),
		reopen: make([]context.CancelFunc, n), pubErrs: make([]int, n), lastErr: make([]error, n), errAt: make([][]time.Time, n), errKind: make([][]string, n)}
	for i, v := range nt.vals {
		tr.ids[v.id] = i
		tr.arrived[i] = make([]map[int]time.Time, n)
		for j := range n {
			tr.arrived[i][j] = map[int]time.Time{}
		}
	}
	subCtx, stopSub := context.WithCancel(context.Background())
	pubCtx, stopPub := context.WithCancel(context.Background())
	tr.stopPub, tr.stopSub = stopPub, stopSub
	t.Cleanup(tr.stop)
	for s := range n {
		tr.subWG.Go(func() { tr.follow(subCtx, s) })
	}
	e2eWaitFor(t, "every validator's jobs stream open", 30*time.Second, nt.procs(), func() error {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		for s := range n {
			if len(tr.opens[s]) == 0 {
				return fmt.Errorf("no stream from validator %d yet", s)
			}
		}
		return nil
	})
	for _, p := range pubs {
		tr.pubWG.Go(func() { tr.publish(pubCtx, p) })
	}
	return tr
}

func (tr *fhTraffic) stop() {
	tr.stopPub()
	tr.pubWG.Wait()
	tr.stopSub()
	tr.subWG.Wait()
}

// drain stops the publishers and gives the last messages time to arrive.
func (tr *fhTraffic) drain(d time.Duration) {
	tr.stopPub()
	tr.pubWG.Wait()
	time.Sleep(d)
	tr.stopSub()
	tr.subWG.Wait()
}

func (tr *fhTraffic) publish(ctx context.Context, p int) {
	tick := time.NewTicker(*faultsEvery)
	defer tick.Stop()
	v := tr.nt.vals[p]
	for {
		tr.mu.Lock()
		seq := len(tr.sent[p])
		tr.sent[p] = append(tr.sent[p], fhSent{at: time.Now()})
		tr.mu.Unlock()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+v.api()+"/v1/publish/jobs", strings.NewReader(fmt.Sprintf("fh %d %d", p, seq)))
		if err == nil {
			var resp *http.Response
			if resp, err = tr.nt.hc.Do(req); err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					err = fmt.Errorf("publish: %d %s", resp.StatusCode, bytes.TrimSpace(body))
				}
			}
		}
		tr.mu.Lock()
		if err == nil {
			tr.sent[p][seq].ok = true
		} else if ctx.Err() == nil {
			tr.pubErrs[p]++
			tr.lastErr[p] = err
			tr.errAt[p] = append(tr.errAt[p], tr.sent[p][seq].at)
			tr.errKind[p] = append(tr.errKind[p], fhErrKind(err))
		}
		tr.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// follow reads validator s's jobs stream, opening it again whenever it
// breaks or reopenStream ends it.
func (tr *fhTraffic) follow(ctx context.Context, s int) {
	v := tr.nt.vals[s]
	for ctx.Err() == nil {
		sctx, cancel := context.WithCancel(ctx)
		tr.mu.Lock()
		tr.reopen[s] = cancel
		tr.mu.Unlock()
		tr.stream(sctx, s, v)
		cancel()
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (tr *fhTraffic) stream(ctx context.Context, s int, v *nsValidator) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+v.api()+"/v1/subscribe/jobs", nil)
	if err != nil {
		return
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := tr.nt.stream.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	tr.mu.Lock()
	tr.opens[s] = append(tr.opens[s], time.Now())
	tr.mu.Unlock()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data:"))
		if !ok {
			continue
		}
		var m api.Message
		if json.Unmarshal(bytes.TrimSpace(data), &m) != nil {
			continue
		}
		var p, seq int
		if _, err := fmt.Sscanf(string(m.Payload), "fh %d %d", &p, &seq); err != nil {
			continue
		}
		if id, ok := tr.ids[m.Sender]; !ok || id != p {
			continue
		}
		now := time.Now()
		tr.mu.Lock()
		if _, seen := tr.arrived[s][p][seq]; !seen {
			tr.arrived[s][p][seq] = now
		}
		tr.mu.Unlock()
	}
}

// fhErrKind is a failed publish's kind: the status code of a refusal, or
// "unreachable" for no answer.
func fhErrKind(err error) string {
	var code int
	if _, e := fmt.Sscanf(err.Error(), "publish: %d", &code); e == nil {
		return strconv.Itoa(code)
	}
	return "unreachable"
}

// reopenStream ends follower s's stream so that it opens a new one: after its
// link was down the old connection may sit in TCP's retransmission backoff
// for many seconds, which measures the test's socket, not the daemon.
func (tr *fhTraffic) reopenStream(s int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.reopen[s] != nil {
		tr.reopen[s]()
	}
}

// firstAfter is how long after t0 the first message that p published at or
// after t0 reached s (ok false: none yet).
func (tr *fhTraffic) firstAfter(p, s int, t0 time.Time) (time.Duration, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	best := time.Duration(math.MaxInt64)
	for seq, at := range tr.arrived[s][p] {
		if seq < len(tr.sent[p]) && !tr.sent[p][seq].at.Before(t0) {
			best = min(best, at.Sub(t0))
		}
	}
	return best, best != time.Duration(math.MaxInt64)
}

// fhPair is a publisher and a follower.
type fhPair struct{ p, s int }

// waitPairs waits until every pair has a message published at or after t0
// arrived, or until deadline, and returns the slowest pair's time (+Inf if
// one has none) and the pairs still without one.
func (tr *fhTraffic) waitPairs(t0, deadline time.Time, pairs []fhPair) (time.Duration, []fhPair) {
	for {
		var worst time.Duration
		var missing []fhPair
		for _, pr := range pairs {
			d, ok := tr.firstAfter(pr.p, pr.s, t0)
			if !ok {
				missing = append(missing, pr)
				d = time.Duration(math.MaxInt64)
			}
			worst = max(worst, d)
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			return worst, missing
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fhWindow is a fault: between from and to (when the harness saw the
// network whole again) either the nodes were faulted, or hosts a and b could
// not reach each other.
type fhWindow struct {
	what     string
	nodes    []int
	a, b     []int
	from, to time.Time
}

// touches reports whether the fault concerns the pair (x, y).
func (w fhWindow) touches(x, y int) bool {
	if slices.Contains(w.nodes, x) || slices.Contains(w.nodes, y) {
		return true
	}
	return (slices.Contains(w.a, x) && slices.Contains(w.b, y)) || (slices.Contains(w.b, x) && slices.Contains(w.a, y))
}

// fhTimeline is every fault so far.
type fhTimeline struct {
	mu      sync.Mutex
	windows []fhWindow
}

func (tl *fhTimeline) add(w fhWindow) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.windows = append(tl.windows, w)
}

// excused reports whether at falls within [from-before, to+after] of a fault
// that concerns the pair (x, y), and names it.
func (tl *fhTimeline) excused(x, y int, at time.Time, before, after time.Duration) (string, bool) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	for _, w := range tl.windows {
		if w.touches(x, y) && !at.Before(w.from.Add(-before)) && !at.After(w.to.Add(after)) {
			return w.what, true
		}
	}
	return "", false
}

// evidence is v's report about w over [from, to].
func (nt *nsNet) evidence(v, w *nsValidator, from, to time.Time) (evidence.Report, error) {
	q := url.Values{"peer": {w.id.Hex()}, "from": {from.UTC().Format(time.RFC3339Nano)}, "to": {to.UTC().Format(time.RFC3339Nano)}}
	resp, err := nt.hc.Get("http://" + v.api() + "/v1/evidence?" + q.Encode())
	if err != nil {
		return evidence.Report{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return evidence.Report{}, fmt.Errorf("validator %d: /v1/evidence about %d: %d %s", v.i, w.i, resp.StatusCode, bytes.TrimSpace(body))
	}
	var s evidence.Signed
	if err := json.Unmarshal(body, &s); err != nil {
		return evidence.Report{}, err
	}
	var r evidence.Report
	return r, json.Unmarshal(s.Report, &r)
}

// fhSample is one reading of a validator process's footprint.
type fhSample struct {
	pid        int
	rssKB      int64
	goroutines int
}

// sample reads v's RSS from /proc and its goroutines from /metrics.
func (nt *nsNet) sample(v *nsValidator) (fhSample, error) {
	s := fhSample{pid: v.proc.cmd.Process.Pid}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	if err != nil {
		return s, err
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				s.rssKB, _ = strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	resp, err := nt.hc.Get("http://" + v.api() + "/metrics")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				return s, fmt.Errorf("go_goroutines %q: %w", rest, err)
			}
			s.goroutines = int(f)
			return s, nil
		}
	}
	return s, fmt.Errorf("validator %d: no go_goroutines in /metrics", v.i)
}

// fhHarness is one run of TestFaults.
type fhHarness struct {
	t    *testing.T
	step func(format string, args ...any)
	nt   *nsNet
	geth *fhGeth
	tr   *fhTraffic
	tl   fhTimeline
	figs nsFigures
	// sets are the validators' extra settings.
	sets []string
}

// whole waits until every validator is ready, connected to every other and
// sees it responsive (or slow: a loaded machine's RTTs are no fault), and
// returns when that was first true. While it waits it logs the pairs that
// are not, whenever that set changes.
func (h *fhHarness) whole(what string, timeout time.Duration) time.Time {
	h.t.Helper()
	return h.waitPairsUp(what, timeout, true)
}

// waitPairsUp is whole, or with live false only every pair connected.
func (h *fhHarness) waitPairsUp(what string, timeout time.Duration, live bool) time.Time {
	h.t.Helper()
	t0 := time.Now()
	last := ""
	e2eWaitFor(h.t, what, timeout, h.nt.procs(), func() error {
		var mu sync.Mutex
		var bad []string
		e2eParallel(len(h.nt.vals), func(i int) {
			v := h.nt.vals[i]
			var out []string
			if err := h.nt.ready(v); err != nil {
				out = append(out, err.Error())
			} else if ps, err := h.nt.peers(v); err != nil {
				out = append(out, fmt.Sprintf("validator %d: %v", i, err))
			} else {
				for _, w := range h.nt.vals {
					k := slices.IndexFunc(ps, func(p api.Peer) bool { return p.NodeID == w.id })
					if w != v && (k < 0 || !ps[k].Connected || (live && ps[k].State != "responsive" && ps[k].State != "slow")) {
						var p api.Peer
						if k >= 0 {
							p = ps[k]
						}
						out = append(out, fmt.Sprintf("%d sees %d %s", i, w.i, peerString(p)))
					}
				}
			}
			mu.Lock()
			bad = append(bad, out...)
			mu.Unlock()
		})
		if len(bad) == 0 {
			return nil
		}
		slices.Sort(bad)
		if s := strings.Join(bad, "; "); s != last {
			last = s
			h.step("  waiting %s for %s: %s", fmtDur(time.Since(t0)), what, s)
		}
		return fmt.Errorf("%d pairs not whole: %s", len(bad), strings.Join(bad[:min(len(bad), 6)], "; "))
	})
	return time.Now()
}

// hold waits d, failing at once if a validator that should run has exited.
func (h *fhHarness) hold(d time.Duration, except ...int) {
	h.t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for _, v := range h.nt.vals {
			if v.proc != nil && !slices.Contains(except, v.i) {
				v.proc.failIfExited(h.t)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// signal sends sig to validator i's process.
func (h *fhHarness) signal(i int, sig syscall.Signal) {
	h.t.Helper()
	if err := h.nt.vals[i].proc.cmd.Process.Signal(sig); err != nil {
		h.t.Fatalf("signal %s to validator %d: %v", sig, i, err)
	}
}

// pairsWith are the publisher/follower pairs with x on one end.
func (h *fhHarness) pairsWith(x int) []fhPair {
	var ps []fhPair
	for _, p := range h.tr.pubs {
		for s := range h.nt.vals {
			if p != s && (p == x || s == x) {
				ps = append(ps, fhPair{p, s})
			}
		}
	}
	return ps
}

// seesOffline checks that every validator in from sees every one in of
// offline (or unreached) now.
func (h *fhHarness) seesOffline(what string, from, of []int) {
	h.t.Helper()
	for _, i := range from {
		ps, err := h.nt.peers(h.nt.vals[i])
		if err != nil {
			h.t.Errorf("%s: peers of validator %d: %v", what, i, err)
			continue
		}
		for _, j := range of {
			k := slices.IndexFunc(ps, func(p api.Peer) bool { return p.NodeID == h.nt.vals[j].id })
			if k < 0 || (ps[k].State != "offline" && ps[k].State != "unreached") {
				var p api.Peer
				if k >= 0 {
					p = ps[k]
				}
				h.t.Errorf("%s: validator %d sees validator %d %s, want offline", what, i, j, peerString(p))
			}
		}
	}
}

// back measures how long after t0 gossip flowed again on every pair (the
// slowest first arrival of a message published at or after t0) and logs it
// as a figure; with bound > 0 a slower pair is an error.
func (h *fhHarness) back(what string, t0 time.Time, pairs []fhPair, bound time.Duration) {
	h.t.Helper()
	wait := max(bound, crossBound) + 15*time.Second
	worst, missing := h.tr.waitPairs(t0, t0.Add(wait), pairs)
	h.figs.add(what, worst)
	h.step("%s: gossip on all %d pairs after %s", what, len(pairs), fmtDur(worst))
	if len(missing) > 0 {
		h.t.Errorf("%s: no message published after it arrived within %s on %d pairs (publisher→follower), e.g. %v", what, wait, len(missing), missing[:min(len(missing), 8)])
	} else if bound > 0 && worst > bound {
		h.t.Errorf("%s: gossip back on every pair after %s, want within %s", what, fmtDur(worst), bound)
	}
}

// allPairs are every publisher/follower pair.
func (h *fhHarness) allPairs() []fhPair {
	var ps []fhPair
	for _, p := range h.tr.pubs {
		for s := range h.nt.vals {
			if p != s {
				ps = append(ps, fhPair{p, s})
			}
		}
	}
	return ps
}

// stopCont freezes validator x with SIGSTOP for the hold and thaws it.
func (h *fhHarness) stopCont(x int) {
	h.t.Helper()
	all := h.indexes()
	from := time.Now()
	h.signal(x, syscall.SIGSTOP)
	h.step("SIGSTOP validator %d for %s", x, *faultsHold)
	h.hold(*faultsHold)
	h.seesOffline(fmt.Sprintf("validator %d stopped for %s", x, *faultsHold), without(all, x), []int{x})
	h.signal(x, syscall.SIGCONT)
	cont := time.Now()
	h.step("SIGCONT validator %d", x)
	h.back("SIGCONT: gossip to and from the thawed node", cont, h.pairsWith(x), 0)
	to := h.whole(fmt.Sprintf("every validator whole after SIGCONT of validator %d", x), 60*time.Second)
	h.figs.add("SIGCONT: every validator connected to every other", to.Sub(cont))
	h.tl.add(fhWindow{what: fmt.Sprintf("validator %d stopped", x), nodes: []int{x}, from: from, to: to})
}

// killRestart exports x's evidence about peer, kills x with SIGKILL, leaves it
// down half the hold, restarts it on the same data directory and checks that
// the evidence it had exported is all still there.
func (h *fhHarness) killRestart(x, peer int, since time.Time) {
	h.t.Helper()
	v, w := h.nt.vals[x], h.nt.vals[peer]
	until := time.Now()
	before, err := h.nt.evidence(v, w, since, until)
	if err != nil {
		h.t.Fatalf("evidence of validator %d about %d before the kill: %v", x, peer, err)
	}
	if !slices.ContainsFunc(before.Transitions, func(tr evidence.Transition) bool { return tr.To == "offline" }) {
		h.t.Errorf("validator %d recorded no offline transition of validator %d, stopped for %s: %+v", x, peer, *faultsHold, before.Transitions)
	}
	from := time.Now()
	if err := v.proc.cmd.Process.Kill(); err != nil {
		h.t.Fatalf("kill -9 validator %d: %v", x, err)
	}
	<-v.proc.done
	h.step("kill -9 validator %d (it had exported %d transitions and %d summaries about validator %d); down for %s", x, len(before.Transitions), len(before.Summaries), peer, *faultsHold/2)
	h.hold(*faultsHold/2, x)
	h.seesOffline(fmt.Sprintf("validator %d killed", x), without(h.indexes(), x), []int{x})
	restart := time.Now()
	h.nt.startWith(h.t, v, h.sets...)
	to := h.whole(fmt.Sprintf("every validator whole after validator %d restarted", x), 90*time.Second)
	h.step("validator %d restarted: whole after %s", x, fmtDur(to.Sub(restart)))
	h.figs.add("kill -9 and restart: from restart to every validator connected to every other", to.Sub(restart))
	h.tl.add(fhWindow{what: fmt.Sprintf("validator %d killed", x), nodes: []int{x}, from: from, to: to})
	after, err := h.nt.evidence(v, w, since, until)
	if err != nil {
		h.t.Fatalf("evidence of validator %d about %d after the restart: %v", x, peer, err)
	}
	if lost := fhMissing(before, after); len(lost) > 0 {
		h.t.Errorf("validator %d reopened its store without %d records it had exported before kill -9, e.g. %s", x, len(lost), lost[0])
	}
}

// fhMissing lists the transitions and summaries of before that after lacks.
func fhMissing(before, after evidence.Report) []string {
	key := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	have := map[string]bool{}
	for _, tr := range after.Transitions {
		have[key(tr)] = true
	}
	for _, s := range after.Summaries {
		have[key(s)] = true
	}
	var lost []string
	for _, tr := range before.Transitions {
		if !have[key(tr)] {
			lost = append(lost, "transition "+key(tr))
		}
	}
	for _, s := range before.Summaries {
		if !have[key(s)] {
			lost = append(lost, "summary "+key(s))
		}
	}
	return lost
}

// gethStop stops geth with SIGSTOP for the hold: every RPC call hangs and the
// head stops. No validator is faulted, so none may lose a message or see a
// peer offline.
func (h *fhHarness) gethStop() {
	h.t.Helper()
	if err := h.geth.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		h.t.Fatalf("SIGSTOP geth: %v", err)
	}
	h.step("SIGSTOP geth for %s", *faultsHold)
	h.hold(*faultsHold)
	if err := h.geth.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		h.t.Fatalf("SIGCONT geth: %v", err)
	}
	cont := time.Now()
	to := h.whole("every validator ready and whole after geth's SIGCONT", 60*time.Second)
	h.step("SIGCONT geth: every validator ready after %s", fmtDur(to.Sub(cont)))
	h.figs.add("geth stopped: every validator ready after SIGCONT", to.Sub(cont))
}

// linkDown takes validator x's host link down for the hold: it loses its
// peers and the chain's RPC (and the test loses its API).
func (h *fhHarness) linkDown(x int) {
	h.t.Helper()
	from := time.Now()
	if err := h.nt.lab.LinkDown(x); err != nil {
		h.t.Fatal(err)
	}
	h.step("link of validator %d down for %s", x, *faultsHold)
	h.hold(*faultsHold)
	h.seesOffline(fmt.Sprintf("link of validator %d down", x), without(h.indexes(), x), []int{x})
	if err := h.nt.lab.LinkUp(x); err != nil {
		h.t.Fatal(err)
	}
	up := time.Now()
	h.tr.reopenStream(x)
	h.step("link of validator %d up", x)
	h.back("link up: gossip to and from the node", up, h.pairsWith(x), crossBound)
	to := h.whole(fmt.Sprintf("every validator whole after validator %d's link came up", x), 60*time.Second)
	h.figs.add("link up: every validator connected to every other", to.Sub(up))
	h.step("link up: whole after %s", fmtDur(to.Sub(up)))
	h.tl.add(fhWindow{what: fmt.Sprintf("link of validator %d down", x), nodes: []int{x}, from: from, to: to})
}

// partition cuts the first half from the second for the hold, checks that
// each side sees the other offline, heals, and checks that gossip crosses and
// every validator is connected to every other within crossBound, and that
// both sides recorded the other's offline time as evidence.
func (h *fhHarness) partition() {
	h.t.Helper()
	n := len(h.nt.vals)
	a, b := h.indexes()[:n/2], h.indexes()[n/2:]
	from := time.Now()
	if err := h.nt.lab.Partition(a, b); err != nil {
		h.t.Fatal(err)
	}
	h.step("partition: %v cut from %v for %s", a, b, *faultsHold)
	h.hold(*faultsHold)
	h.seesOffline("partition, side A", a, b)
	h.seesOffline("partition, side B", b, a)
	if err := h.nt.lab.Heal(); err != nil {
		h.t.Fatal(err)
	}
	heal := time.Now()
	h.step("healed")
	var cross []fhPair
	for _, p := range h.tr.pubs {
		other := b
		if slices.Contains(b, p) {
			other = a
		}
		for _, s := range other {
			cross = append(cross, fhPair{p, s})
		}
	}
	h.back("partition heal: gossip across the cut", heal, cross, crossBound)
	conn := h.waitPairsUp("every validator connected to every other after the heal", 60*time.Second, false)
	h.figs.add("partition heal: every pair connected", conn.Sub(heal))
	if d := conn.Sub(heal); d > crossBound {
		h.t.Errorf("partition heal: every validator connected to every other again after %s, want within %s", fmtDur(d), crossBound)
	}
	// Not asserted: a connection that lived through the cut can sit in its
	// transport's retransmission backoff for seconds after the heal, so a
	// peer's liveness probe over it (and its own gossip on that link) lags
	// while gossip already crosses over the other links (see
	// docs/architecture.md, Testing).
	to := h.whole("every validator whole after the heal", 60*time.Second)
	h.figs.add("partition heal: every pair connected and responsive", to.Sub(heal))
	h.step("partition heal: every pair connected after %s, connected and responsive after %s", fmtDur(conn.Sub(heal)), fmtDur(to.Sub(heal)))
	h.tl.add(fhWindow{what: "partition", a: a, b: b, from: from, to: to})
	// Both sides recorded the other's offline time.
	var missing []string
	var mu sync.Mutex
	e2eParallel(n, func(i int) {
		others := b
		if slices.Contains(b, i) {
			others = a
		}
		for _, j := range others {
			r, err := h.nt.evidence(h.nt.vals[i], h.nt.vals[j], from, heal)
			ok := err == nil && slices.ContainsFunc(r.Transitions, func(tr evidence.Transition) bool { return tr.To == "offline" })
			if !ok {
				mu.Lock()
				missing = append(missing, fmt.Sprintf("%d about %d (err %v, transitions %+v)", i, j, err, r.Transitions))
				mu.Unlock()
			}
		}
	})
	if len(missing) > 0 {
		h.t.Errorf("partition: %d observers recorded no offline transition of a peer across the cut, e.g. %s", len(missing), missing[0])
	}
}

func (h *fhHarness) indexes() []int {
	out := make([]int, len(h.nt.vals))
	for i := range out {
		out[i] = i
	}
	return out
}

func without(xs []int, x int) []int {
	return slices.DeleteFunc(slices.Clone(xs), func(y int) bool { return y == x })
}

// checkLoss fails the test for every accepted publish that did not reach a
// follower although neither end was faulted and no cut lay between them
// from a second before the publish to crossBound after.
func (h *fhHarness) checkLoss() {
	h.t.Helper()
	tr := h.tr
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var checked, excused, lost int
	var examples []string
	for _, p := range tr.pubs {
		for s := range h.nt.vals {
			if s == p {
				continue
			}
			for seq, m := range tr.sent[p] {
				if !m.ok {
					continue
				}
				if _, ok := h.tl.excused(p, s, m.at, time.Second, crossBound); ok {
					excused++
					continue
				}
				checked++
				if _, ok := tr.arrived[s][p][seq]; !ok {
					lost++
					if len(examples) < 8 {
						examples = append(examples, fmt.Sprintf("%d→%d #%d published at +%s", p, s, seq, fmtDur(m.at.Sub(tr.sent[p][0].at))))
					}
				}
			}
		}
	}
	var pubErrs []string
	for _, p := range tr.pubs {
		if tr.pubErrs[p] > 0 {
			// When they happened: during which fault (any pair with p).
			during := map[string]int{}
			for e, at := range tr.errAt[p] {
				what := "no fault"
				for s := range h.nt.vals {
					if w, ok := h.tl.excused(p, s, at, time.Second, crossBound); ok {
						what = w
						break
					}
				}
				during[what+" ("+tr.errKind[p][e]+")"]++
			}
			pubErrs = append(pubErrs, fmt.Sprintf("%d: %d %v (last: %v)", p, tr.pubErrs[p], during, tr.lastErr[p]))
		}
	}
	h.step("messages: %d deliveries checked, %d lost, %d excused by a fault; publish errors: %s", checked, lost, excused, strings.Join(pubErrs, "; "))
	if lost > 0 {
		h.t.Errorf("%d of %d deliveries between validators that stayed connected were lost, e.g. %s", lost, checked, strings.Join(examples, ", "))
	}
	if checked == 0 {
		h.t.Error("no delivery was checked")
	}
}

// checkFalseOffline reads every validator's evidence about every other over
// the run and fails the test for a transition to offline or unreached that
// no fault of either node, or cut between them, explains.
func (h *fhHarness) checkFalseOffline(since time.Time) {
	h.t.Helper()
	until := time.Now()
	var mu sync.Mutex
	var bad []string
	var offline int
	e2eParallel(len(h.nt.vals), func(i int) {
		for j := range h.nt.vals {
			if i == j {
				continue
			}
			r, err := h.nt.evidence(h.nt.vals[i], h.nt.vals[j], since, until)
			mu.Lock()
			if err != nil {
				bad = append(bad, fmt.Sprintf("evidence of %d about %d: %v", i, j, err))
			}
			for _, tr := range r.Transitions {
				if tr.To != "offline" && tr.To != "unreached" {
					continue
				}
				offline++
				if _, ok := h.tl.excused(i, j, tr.At, time.Second, crossBound); !ok {
					bad = append(bad, fmt.Sprintf("validator %d saw validator %d %s at +%s (%s → %s, %s)", i, j, tr.To, fmtDur(tr.At.Sub(since)), tr.From, tr.To, tr.Reason))
				}
			}
			mu.Unlock()
		}
	})
	h.step("evidence: %d transitions to offline or unreached, %d unexplained", offline, len(bad))
	if len(bad) > 0 {
		slices.Sort(bad)
		h.t.Errorf("%d false offline records among healthy validators:\n%s", len(bad), strings.Join(bad[:min(len(bad), 20)], "\n"))
	}
}

// TestFaults is the multi-host fault harness (see the top of this file).
func TestFaults(t *testing.T) {
	netns.Require(t)
	n := *faultsNodes
	if n < 4 {
		t.Fatalf("-faults.nodes=%d: want at least 4", n)
	}
	h := &fhHarness{t: t, step: e2eSteps(t), sets: []string{
		// Every validator keeps every other connected, so "whole" is
		// every pair connected and responsive.
		fmt.Sprintf("network.target_peers=%d", n),
		fmt.Sprintf("network.max_connections=%d", max(64, 2*n)),
		"log.level=" + *faultsLogLevel,
	}}
	h.nt, h.geth = fhStartNet(t, n)
	h.step("geth --dev at %s; %d validators registered", h.geth.url, n)
	procStart := time.Now()
	for _, v := range h.nt.vals {
		h.nt.startWith(t, v, h.sets...)
	}
	ready := h.whole(fmt.Sprintf("%d validators ready and connected to each other", n), 120*time.Second)
	h.step("%d validators ready and connected to each other", n)
	h.tl.add(fhWindow{what: "start", nodes: h.indexes(), from: procStart, to: ready})

	var pubs []int
	np := min(max(*faultsPublishers, 1), n)
	for k := range np {
		pubs = append(pubs, k*n/np)
	}
	h.tr = fhStartTraffic(t, h.nt, pubs)
	begin := time.Now()
	h.back("baseline: gossip on every pair", begin, h.allPairs(), 0)
	first := map[int]fhSample{}
	for _, v := range h.nt.vals {
		s, err := h.nt.sample(v)
		if err != nil {
			t.Fatal(err)
		}
		first[v.i] = s
	}

	for round := 0; round == 0 || time.Since(begin) < *faultsDuration; round++ {
		s := ((n-1-3*round)%n + n) % n
		k, l := (s+n-1)%n, (s+n-2)%n
		h.step("round %d: stop %d, kill %d, link %d", round+1, s, k, l)
		h.stopCont(s)
		h.killRestart(k, s, procStart)
		h.gethStop()
		h.linkDown(l)
		h.partition()
		if t.Failed() {
			break
		}
	}
	h.tr.drain(3 * time.Second)
	h.checkLoss()
	h.checkFalseOffline(procStart)
	h.footprint(first, time.Since(begin))
	h.figs.log(t)
}

// footprint logs each validator's RSS and goroutines now against the first
// reading of the same process (a restarted one is left out).
func (h *fhHarness) footprint(first map[int]fhSample, elapsed time.Duration) {
	h.t.Helper()
	var rows []string
	var rss, gor []float64
	for _, v := range h.nt.vals {
		s, err := h.nt.sample(v)
		if err != nil {
			h.t.Errorf("sample validator %d: %v", v.i, err)
			continue
		}
		f := first[v.i]
		if f.pid != s.pid {
			rows = append(rows, fmt.Sprintf("%d: restarted; now %d MiB, %d goroutines", v.i, s.rssKB>>10, s.goroutines))
			continue
		}
		rss = append(rss, float64(s.rssKB-f.rssKB)/1024)
		gor = append(gor, float64(s.goroutines-f.goroutines))
		rows = append(rows, fmt.Sprintf("%d: RSS %d → %d MiB, goroutines %d → %d", v.i, f.rssKB>>10, s.rssKB>>10, f.goroutines, s.goroutines))
	}
	med := func(xs []float64) (float64, float64) {
		if len(xs) == 0 {
			return 0, 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2], xs[len(xs)-1]
	}
	mr, xr := med(rss)
	mg, xg := med(gor)
	h.step("footprint over %s of faults: RSS growth median %.1f MiB, max %.1f MiB; goroutine growth median %.0f, max %.0f (processes never restarted: %d)\n%s",
		elapsed.Round(time.Second), mr, xr, mg, xg, len(rss), strings.Join(rows, "\n"))
}
