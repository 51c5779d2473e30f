//go:build linux

package main_test

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStartExitsWhenAComponentFails: a running daemon whose API listener dies
// under it (this test shuts the socket down, through pidfd_getfd) stops and
// exits 1 with the API's error, where it used to run on without its API,
// looking alive.
func TestStartExitsWhenAComponentFails(t *testing.T) {
	e2eBinary(t)
	step := e2eSteps(t)
	d := e2eStartDevnet(t, 2)
	step("devnet ready, RPC %s", d.rpc)

	dir := t.TempDir()
	pass := e2eWriteFile(t, dir, "pass.txt", "correct horse battery staple\n")
	valDir := filepath.Join(dir, "myvalidator")
	r := e2eMustRun(t, 90*time.Second, nil, "init", "--dir", valDir, "--passphrase-file", pass)
	cfgPath := filepath.Join(valDir, "validator.toml")
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
	if fund == nil || register == nil {
		t.Fatalf("init does not print fund and register steps:\n%s", r)
	}
	e2eMustRun(t, 60*time.Second, nil, fund...)
	e2eMustRun(t, 90*time.Second, nil, register...)
	step("registered")

	port := e2eFreePorts(t, 1)[0]
	api := fmt.Sprintf("127.0.0.1:%d", port)
	p := e2eStart(t, "validator", nil, "start", "--config", cfgPath, "--rpc-url", d.rpc, "--api-listen", api)
	hc := &http.Client{Timeout: 5 * time.Second}
	e2eWaitFor(t, "the API", 90*time.Second, []*e2eProc{p}, func() error {
		resp, err := hc.Get("http://" + api + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
	step("started, API on %s", api)

	shutdownListener(t, p.cmd.Process.Pid, port)
	select {
	case <-p.done:
	case <-time.After(45 * time.Second):
		t.Fatalf("the daemon still runs 45s after its API listener died\n--- stderr (tail):\n%s", e2eTail(p.stderr.String(), 40))
	}
	stderr := p.stderr.String()
	if code := p.exitCode(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !regexp.MustCompile(`(?m)^validator: api: api serve on 127\.0\.0\.1:` + strconv.Itoa(port) + `: `).MatchString(stderr) {
		t.Errorf("stderr does not end with the API's error, named:\n%s", e2eTail(stderr, 20))
	}
	step("exited: %s", strings.TrimSpace(e2eTail(stderr, 1)))
}

// shutdownListener shuts down, under process pid, its socket listening on
// 127.0.0.1:port: it takes a copy of the descriptor with pidfd_getfd (Linux
// 5.6; the caller may ptrace its child) and shuts the socket down, so the
// process's accept fails with EINVAL.
func shutdownListener(t *testing.T, pid, port int) {
	t.Helper()
	inode := listenInode(t, pid, port)
	target := -1
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range fds {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		if err == nil && link == "socket:["+inode+"]" {
			target, _ = strconv.Atoi(e.Name())
		}
	}
	if target < 0 {
		t.Fatalf("no descriptor of process %d holds socket %s", pid, inode)
	}
	const sysPidfdOpen, sysPidfdGetfd = 434, 438 // the same on every Linux architecture
	pidfd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		skipOrFail(t, "pidfd_open", errno)
	}
	defer syscall.Close(int(pidfd))
	fd, _, errno := syscall.Syscall(sysPidfdGetfd, pidfd, uintptr(target), 0)
	if errno != 0 {
		skipOrFail(t, "pidfd_getfd", errno)
	}
	defer syscall.Close(int(fd))
	if err := syscall.Shutdown(int(fd), syscall.SHUT_RDWR); err != nil {
		t.Fatalf("shutdown the listener: %v", err)
	}
}

// skipOrFail skips where the kernel lacks the call or denies it, and fails on
// any other error.
func skipOrFail(t *testing.T, call string, errno syscall.Errno) {
	t.Helper()
	if errors.Is(errno, syscall.ENOSYS) || errors.Is(errno, syscall.EPERM) {
		t.Skipf("%s: %v (needs Linux 5.6 and the right to ptrace the child)", call, errno)
	}
	t.Fatalf("%s: %v", call, errno)
}

// listenInode is the inode of the TCP socket listening on 127.0.0.1:port in
// pid's network namespace.
func listenInode(t *testing.T, pid, port int) string {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/net/tcp", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	local := fmt.Sprintf("0100007F:%04X", port)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		f := strings.Fields(sc.Text())
		if len(f) > 9 && f[1] == local && f[3] == "0A" {
			return f[9]
		}
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d", port)
	return ""
}
