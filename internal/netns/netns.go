//go:build linux

package netns

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv=1 makes a machine without network namespaces a test failure
// instead of a skip, so CI cannot pass without running the namespace tests.
const RequireEnv = "VALIDATOR_REQUIRE_NETNS"

// namePrefix starts every namespace a lab creates: "vl<pid>-<id>-<role>".
// The creator's PID lets a later lab remove what a killed test left behind.
const namePrefix = "vl"

// MaxHosts is the most hosts a lab holds (one /30 each in a /24).
const MaxHosts = 62

// Require skips the test unless namespace labs can run here (Linux, root,
// iproute2, namespaces allowed), or fails it when VALIDATOR_REQUIRE_NETNS=1.
func Require(t testing.TB) {
	t.Helper()
	if err := Check(); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("network namespace lab unavailable: %v (%s=1 forbids skipping)", err, RequireEnv)
		}
		t.Skipf("network namespace lab unavailable: %v (run as root with iproute2; %s=1 makes this a failure)", err, RequireEnv)
	}
}

var check struct {
	once sync.Once
	err  error
}

// Check reports why a lab cannot run here, or nil. It creates and deletes
// one namespace the first time.
func Check() error {
	check.once.Do(func() {
		if os.Geteuid() != 0 {
			check.err = errors.New("not root")
			return
		}
		if _, err := exec.LookPath("ip"); err != nil {
			check.err = errors.New("iproute2's ip is not on PATH")
			return
		}
		name := fmt.Sprintf("%s%d-check", namePrefix, os.Getpid())
		if err := ip("netns", "add", name); err != nil {
			check.err = err
			return
		}
		if err := ip("netns", "del", name); err != nil {
			check.err = err
		}
	})
	return check.err
}

// Lab is a running set of hosts behind one router namespace.
type Lab struct {
	id       string
	hub      string
	rootLink string
	prefix   netip.Prefix
	// RootAddr is the root namespace's address on its link to the hub: every
	// host reaches it, so serve the hosts from here.
	RootAddr netip.Addr
	Hosts    []Host

	mu    sync.Mutex
	rules []string // active partition rules, as "ip rule" arguments
}

// Host is one network namespace of a lab.
type Host struct {
	// Netns is the namespace's name (for "ip netns exec").
	Netns string
	// Addr is the host's only address besides loopback.
	Addr netip.Addr
}

// New creates a lab of n hosts, removed when the test ends (after the
// cleanups registered later, such as processes started in the hosts). It
// first removes namespaces left by labs of processes that no longer run.
func New(t testing.TB, n int) *Lab {
	t.Helper()
	Require(t)
	if n < 1 || n > MaxHosts {
		t.Fatalf("netns lab of %d hosts: want 1..%d", n, MaxHosts)
	}
	sweep()
	l, err := create(n)
	if l != nil {
		t.Cleanup(l.remove)
	}
	if err != nil {
		t.Fatalf("create netns lab: %v", err)
	}
	return l
}

func create(n int) (*Lab, error) {
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	id := hex.EncodeToString(b[:])
	prefix, err := freePrefix()
	if err != nil {
		return nil, err
	}
	base := prefix.Addr().As4()
	addr := func(i int) netip.Addr { a := base; a[3] = byte(i); return netip.AddrFrom4(a) }
	l := &Lab{
		id:       id,
		hub:      fmt.Sprintf("%s%d-%s-hub", namePrefix, os.Getpid(), id),
		rootLink: namePrefix + id + "r",
		prefix:   prefix,
		RootAddr: addr(1),
	}
	lab := prefix.String()
	// Link k (0: root, k ≥ 1: host k-1) is the /30 at 4k: the hub side is
	// 4k+1 for hosts and 4k+2 for root, the far side the other one.
	steps := [][]string{
		{"netns", "add", l.hub},
		{"-n", l.hub, "link", "set", "lo", "up"},
		{"link", "add", l.rootLink, "type", "veth", "peer", "name", "root", "netns", l.hub},
		{"addr", "add", addr(1).String() + "/30", "dev", l.rootLink},
		{"link", "set", l.rootLink, "up"},
		{"-n", l.hub, "addr", "add", addr(2).String() + "/30", "dev", "root"},
		{"-n", l.hub, "link", "set", "root", "up"},
		{"route", "add", lab, "via", addr(2).String(), "dev", l.rootLink},
	}
	if err := run(steps); err != nil {
		return l, err
	}
	if err := exec.Command("ip", "netns", "exec", l.hub, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").Run(); err != nil {
		return l, fmt.Errorf("enable forwarding in %s: %w", l.hub, err)
	}
	for i := range n {
		h := Host{Netns: fmt.Sprintf("%s%d-%s-%d", namePrefix, os.Getpid(), id, i), Addr: addr(4*(i+1) + 2)}
		l.Hosts = append(l.Hosts, h)
		hubSide := addr(4*(i+1) + 1)
		link := fmt.Sprintf("h%d", i)
		steps := [][]string{
			{"netns", "add", h.Netns},
			{"-n", h.Netns, "link", "set", "lo", "up"},
			{"-n", l.hub, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", h.Netns},
			{"-n", l.hub, "addr", "add", hubSide.String() + "/30", "dev", link},
			{"-n", l.hub, "link", "set", link, "up"},
			{"-n", h.Netns, "addr", "add", h.Addr.String() + "/30", "dev", "eth0"},
			{"-n", h.Netns, "link", "set", "eth0", "up"},
			// Only the lab is routed: a host reaches nothing beyond it.
			{"-n", h.Netns, "route", "add", lab, "via", hubSide.String()},
		}
		if err := run(steps); err != nil {
			return l, err
		}
	}
	return l, nil
}

// remove deletes the root link (synchronously: its route goes with it), then
// the namespaces.
func (l *Lab) remove() {
	_ = ip("link", "del", l.rootLink)
	for _, h := range l.Hosts {
		_ = ip("netns", "del", h.Netns)
	}
	_ = ip("netns", "del", l.hub)
}

// Command runs name in host i's namespace. The process is killed if the test
// process dies first.
func (l *Lab) Command(i int, name string, args ...string) *exec.Cmd {
	cmd := exec.Command("ip", append([]string{"netns", "exec", l.Hosts[i].Netns, name}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// HTTPClient reaches the hosts from the root namespace. Its connections leave
// from RootAddr, so once the lab is gone they fail rather than take the
// default route.
func (l *Lab) HTTPClient(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: l.RootAddr.AsSlice()}}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Partition cuts every host of each group off from the hosts of the other
// groups; hosts in no group are untouched, and so is traffic to and from the
// root namespace. Packets across the cut are dropped silently. It adds to any
// partition in force.
func (l *Lab) Partition(groups ...[]int) error {
	var rules []string
	for gi, g := range groups {
		for gj, h := range groups {
			if gi == gj {
				continue
			}
			for _, a := range g {
				for _, b := range h {
					if a < 0 || a >= len(l.Hosts) || b < 0 || b >= len(l.Hosts) {
						return fmt.Errorf("partition: host index out of range: %d, %d", a, b)
					}
					rules = append(rules, fmt.Sprintf("pref 100 from %s to %s blackhole", l.Hosts[a].Addr, l.Hosts[b].Addr))
				}
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var batch strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&batch, "rule add %s\n", r)
	}
	if err := ipBatch(l.hub, batch.String()); err != nil {
		return fmt.Errorf("partition: %w", err)
	}
	l.rules = append(l.rules, rules...)
	return nil
}

// Heal removes every partition at once.
func (l *Lab) Heal() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.rules) == 0 {
		return nil
	}
	var batch strings.Builder
	for _, r := range l.rules {
		fmt.Fprintf(&batch, "rule del %s\n", r)
	}
	l.rules = nil
	if err := ipBatch(l.hub, batch.String()); err != nil {
		return fmt.Errorf("heal: %w", err)
	}
	return nil
}

// LinkDown takes host i's only link down at the hub, as when a machine's
// cable is pulled: the host loses every other host, the root namespace and
// whatever is served from there (a chain's JSON-RPC, the test's view of the
// host), and the hub answers packets for it as unreachable. Connections stay
// open on both sides and carry on after LinkUp if they have not timed out.
func (l *Lab) LinkDown(i int) error {
	if i < 0 || i >= len(l.Hosts) {
		return fmt.Errorf("link down: host index %d out of range", i)
	}
	return ip("-n", l.hub, "link", "set", fmt.Sprintf("h%d", i), "down")
}

// LinkUp brings host i's link back after LinkDown (the hub's route to the
// host returns with it).
func (l *Lab) LinkUp(i int) error {
	if i < 0 || i >= len(l.Hosts) {
		return fmt.Errorf("link up: host index %d out of range", i)
	}
	return ip("-n", l.hub, "link", "set", fmt.Sprintf("h%d", i), "up")
}

// freePrefix picks a random /24 in 10.200.0.0-10.249.255.0 that no route or
// address of the root namespace touches.
func freePrefix() (netip.Prefix, error) {
	out, err := exec.Command("ip", "-4", "route", "show", "table", "all").CombinedOutput()
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("list routes: %w: %s", err, bytes.TrimSpace(out))
	}
	addrs, err := exec.Command("ip", "-4", "-o", "addr", "show").CombinedOutput()
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("list addresses: %w: %s", err, bytes.TrimSpace(addrs))
	}
	used := string(out) + string(addrs)
	for range 100 {
		r, err := rand.Int(rand.Reader, big.NewInt(50*256))
		if err != nil {
			return netip.Prefix{}, err
		}
		v := int(r.Int64())
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(200 + v/256), byte(v % 256), 0}), 24)
		if !strings.Contains(used, fmt.Sprintf("10.%d.%d.", 200+v/256, v%256)) {
			return p, nil
		}
	}
	return netip.Prefix{}, errors.New("no free /24 in 10.200-249.x.0")
}

// sweep deletes namespaces of labs whose test process is gone (killed before
// its cleanups ran). A hub's deletion takes its root link with it.
func sweep() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for line := range strings.Lines(string(out)) {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		rest, ok := strings.CutPrefix(name, namePrefix)
		if !ok {
			continue
		}
		pidStr, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if !ok || err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); errors.Is(err, os.ErrNotExist) {
			_ = ip("netns", "del", name)
		}
	}
}

func run(steps [][]string) error {
	for _, s := range steps {
		if err := ip(s...); err != nil {
			return err
		}
	}
	return nil
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func ipBatch(netns, batch string) error {
	cmd := exec.Command("ip", "-n", netns, "-batch", "-")
	cmd.Stdin = strings.NewReader(batch)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip -n %s -batch: %w: %s", netns, err, bytes.TrimSpace(out))
	}
	return nil
}
