//go:build unix

package main_test

// Helpers of the end-to-end tests: they build the validator binary once per
// test binary and run it as subprocesses, the way an operator does.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"
)

// e2eBuild holds the binary built by e2eBinary.
var e2eBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if e2eBuild.dir != "" {
		os.RemoveAll(e2eBuild.dir)
	}
	os.Exit(code)
}

// e2eBinary builds ./cmd/validator once per test binary and returns its path.
func e2eBinary(t *testing.T) string {
	t.Helper()
	e2eBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "validator-e2e-")
		if err != nil {
			e2eBuild.err = err
			return
		}
		e2eBuild.dir = dir
		bin := filepath.Join(dir, "validator")
		goCmd, err := exec.LookPath("go")
		if err != nil {
			e2eBuild.err = fmt.Errorf("go not on PATH: %w", err)
			return
		}
		// The test runs in cmd/validator: build the package in this directory,
		// stamped with the git commit when there is one (-buildvcs=auto, Go's
		// default, overrides a GOFLAGS=-buildvcs=false in the environment).
		cmd := exec.Command(goCmd, "build", "-buildvcs=auto", "-o", bin, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			e2eBuild.err = fmt.Errorf("go build ./cmd/validator: %w\n%s", err, out)
			return
		}
		e2eBuild.bin = bin
	})
	if e2eBuild.err != nil {
		t.Fatal(e2eBuild.err)
	}
	return e2eBuild.bin
}

// e2eEnv is the subprocesses' environment: this one without VALIDATOR_*
// variables, so a developer's settings cannot change what the tests see, plus
// extra ("KEY=value").
func e2eEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VALIDATOR_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// e2eBuffer is a bytes.Buffer safe for a writing process and a reading test.
type e2eBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *e2eBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *e2eBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// e2eTail is the last n lines of s.
func e2eTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// e2eResult is a finished command.
type e2eResult struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r e2eResult) String() string {
	return fmt.Sprintf("validator %s: exit %d\n--- stdout (tail):\n%s\n--- stderr (tail):\n%s",
		strings.Join(r.args, " "), r.code, e2eTail(r.stdout, 20), e2eTail(r.stderr, 30))
}

// e2eRun runs the binary to completion (killed after timeout) with env added to
// the environment.
func e2eRun(t *testing.T, timeout time.Duration, env []string, args ...string) e2eResult {
	t.Helper()
	r, err := e2eExec(e2eBinary(t), timeout, env, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// e2eExec is e2eRun for other goroutines than the test's: it returns an error
// where e2eRun fails the test.
func e2eExec(bin string, timeout time.Duration, env []string, args ...string) (e2eResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = e2eEnv(env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := e2eResult{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("still running after %s, killed\n%s", timeout, r)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		return r, fmt.Errorf("run validator %s: %w", strings.Join(args, " "), err)
	}
	return r, nil
}

// e2eMustRun runs the binary and fails the test unless it exits 0.
func e2eMustRun(t *testing.T, timeout time.Duration, env []string, args ...string) e2eResult {
	t.Helper()
	r := e2eRun(t, timeout, env, args...)
	if r.code != 0 {
		t.Fatalf("unexpected failure:\n%s", r)
	}
	return r
}

// e2eLogs, when set, is a directory where every long-running process's whole
// stdout and stderr are written when its test ends (the failure output has
// only their tails).
var e2eLogs = flag.String("e2e.logs", "", "write the whole output of every validator process to this directory when its test ends")

// e2eProc is a long-running validator process (start, devnet).
type e2eProc struct {
	name           string
	args           []string
	cmd            *exec.Cmd
	stdout, stderr e2eBuffer
	done           chan struct{} // closed when the process has exited
	waitErr        error
}

// e2eStart starts the binary in the background. When the test ends the process
// is killed if it still runs, and if the test failed the tails of its output
// are logged.
func e2eStart(t *testing.T, name string, env []string, args ...string) *e2eProc {
	t.Helper()
	return e2eLaunch(t, name, exec.Command(e2eBinary(t), args...), env, args)
}

// e2eLaunch starts cmd (the binary with args, perhaps wrapped, as in a
// network namespace) as e2eStart does.
func e2eLaunch(t *testing.T, name string, cmd *exec.Cmd, env, args []string) *e2eProc {
	t.Helper()
	p := &e2eProc{name: name, args: args, cmd: cmd, done: make(chan struct{})}
	p.cmd.Env = e2eEnv(env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		if !p.exited() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if *e2eLogs != "" {
			file := filepath.Join(*e2eLogs, strings.Map(func(r rune) rune {
				if r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r) {
					return r
				}
				return '_'
			}, p.name)+".log")
			out := "--- stdout:\n" + p.stdout.String() + "\n--- stderr:\n" + p.stderr.String()
			if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
				t.Logf("write %s's output: %v", p.name, err)
			}
		}
		if t.Failed() {
			t.Logf("%s (validator %s) %s\n--- stdout (tail):\n%s\n--- stderr (tail):\n%s",
				p.name, strings.Join(p.args, " "), p.state(), e2eTail(p.stdout.String(), 20), e2eTail(p.stderr.String(), 60))
		}
	})
	return p
}

func (p *e2eProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode is the exit code of an exited process (-1: killed by a signal).
func (p *e2eProc) exitCode() int {
	<-p.done
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		return ee.ExitCode()
	}
	if p.waitErr != nil {
		return -1
	}
	return 0
}

func (p *e2eProc) state() string {
	if !p.exited() {
		return "still running"
	}
	return fmt.Sprintf("exited: %v (code %d)", p.waitErr, p.exitCode())
}

// failIfExited fails the test at once if the process has ended, with its
// output: there is no point waiting for a dead process to become ready.
func (p *e2eProc) failIfExited(t *testing.T) {
	t.Helper()
	if p.exited() {
		t.Fatalf("%s exited early with code %d\n--- stderr (tail):\n%s", p.name, p.exitCode(), e2eTail(p.stderr.String(), 60))
	}
}

// terminate sends SIGTERM and checks that the process exits 0 within timeout
// (the daemon's shutdown deadline is 30s).
func (p *e2eProc) terminate(t *testing.T, timeout time.Duration) {
	t.Helper()
	if p.exited() {
		t.Errorf("%s exited before SIGTERM: %s\n--- stderr (tail):\n%s", p.name, p.state(), e2eTail(p.stderr.String(), 40))
		return
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM %s: %v", p.name, err) // not Fatal: terminate runs on other goroutines too
		return
	}
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Signal(syscall.SIGQUIT) // goroutine dump on stderr
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		t.Errorf("%s did not exit within %s of SIGTERM\n--- stderr (tail):\n%s", p.name, timeout, e2eTail(p.stderr.String(), 80))
		return
	}
	if code := p.exitCode(); code != 0 {
		t.Errorf("%s exited with code %d after SIGTERM, want 0\n--- stderr (tail):\n%s", p.name, code, e2eTail(p.stderr.String(), 40))
	}
}

// e2eWaitFor polls cond every 200ms until it returns nil, failing the test
// with cond's last error after timeout. Each proc is checked for an early
// exit on every round.
func e2eWaitFor(t *testing.T, what string, timeout time.Duration, procs []*e2eProc, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, p := range procs {
			p.failIfExited(t)
		}
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// e2eFreePorts returns n distinct loopback ports on which nothing listens over
// TCP or UDP; they were free a moment ago.
func e2eFreePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	var held []func()
	defer func() {
		for _, c := range held {
			c()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, func() { l.Close() })
		p := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue // the UDP port is taken; keep the TCP one held and try another
		}
		held = append(held, func() { u.Close() })
		ports = append(ports, p)
	}
	return ports
}

// e2eFreeRanges returns one base port per entry of sizes such that base..base+size-1
// are all free over TCP and UDP on loopback and the ranges do not overlap. The
// bases are drawn below the kernel's ephemeral range, where outgoing
// connections do not take ports away between the check and the use.
func e2eFreeRanges(t *testing.T, sizes ...int) []int {
	t.Helper()
	lo, hi := 20000, 32000
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if eph, err := strconv.Atoi(f[0]); err == nil && eph > 2048 && eph-1024 < hi {
				lo, hi = 1024, eph
			}
		}
	}
	var held []func()
	defer func() {
		for _, c := range held {
			c()
		}
	}()
	// hold tries to bind port over TCP and UDP; on success the sockets stay
	// held until e2eFreeRanges returns.
	hold := func(port int) bool {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return false
		}
		u, err := net.ListenPacket("udp", addr)
		if err != nil {
			l.Close()
			return false
		}
		held = append(held, func() { l.Close(); u.Close() })
		return true
	}
	bases := make([]int, 0, len(sizes))
	for _, size := range sizes {
		found := false
		for attempt := 0; attempt < 100 && !found; attempt++ {
			base := lo + rand.IntN(hi-lo-size)
			mark := len(held)
			found = true
			for p := base; p < base+size; p++ {
				if !hold(p) {
					found = false
					break
				}
			}
			if !found {
				for _, c := range held[mark:] {
					c()
				}
				held = held[:mark]
				continue
			}
			bases = append(bases, base)
		}
		if !found {
			t.Fatalf("no free range of %d ports in %d-%d", size, lo, hi)
		}
	}
	return bases
}

// e2eSteps logs the progress of a long test with the time since it began, so
// that a slow or stuck step shows in -v output.
func e2eSteps(t *testing.T) func(format string, args ...any) {
	start := time.Now()
	return func(format string, args ...any) {
		t.Helper()
		t.Logf("[%5.1fs] %s", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
}

// e2eWriteFile writes a file in dir and returns its path.
func e2eWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
