//go:build linux

package netns_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"validator/internal/netns"
)

// helperEnv makes the test binary a tiny network tool run inside a host:
// "listen:<addr>" serves TCP and HTTP, "dial:<addr>" connects once.
const helperEnv = "NETNS_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode, arg, ok := strings.Cut(os.Getenv(helperEnv), ":"); ok {
		os.Exit(helper(mode, arg))
	}
	os.Exit(m.Run())
}

func helper(mode, addr string) int {
	switch mode {
	case "listen":
		l, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("listening")
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
		return 1
	case "dial":
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		c.Close()
		return 0
	}
	return 2
}

// TestPartition checks the lab's promise: hosts reach each other and the root
// namespace reaches them; a partition drops traffic between its groups only;
// heal restores it; a link taken down cuts its host off and comes back; and
// the lab leaves nothing behind.
func TestPartition(t *testing.T) {
	var lab *netns.Lab
	t.Run("lab", func(t *testing.T) {
		lab = netns.New(t, 3)
		for i := range lab.Hosts {
			cmd := lab.Command(i, os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"=listen:"+net.JoinHostPort(lab.Hosts[i].Addr.String(), "8080"))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "listening\n" {
				t.Fatalf("listener on host %d: %q %v", i, line, err)
			}
		}
		dial := func(from, to int) error {
			cmd := lab.Command(from, os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"=dial:"+net.JoinHostPort(lab.Hosts[to].Addr.String(), "8080"))
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
			}
			return nil
		}
		hc := lab.HTTPClient(2 * time.Second)
		get := func(to int) error {
			resp, err := hc.Get("http://" + net.JoinHostPort(lab.Hosts[to].Addr.String(), "8080"))
			if err != nil {
				return err
			}
			resp.Body.Close()
			return nil
		}
		expect := func(when string, from, to int, reach bool) {
			t.Helper()
			err := dial(from, to)
			if reach && err != nil {
				t.Errorf("%s: host %d cannot reach host %d: %v", when, from, to, err)
			}
			if !reach && err == nil {
				t.Errorf("%s: host %d reaches host %d", when, from, to)
			}
		}
		for i := range lab.Hosts {
			if err := get(i); err != nil {
				t.Errorf("root cannot reach host %d: %v", i, err)
			}
		}
		expect("before", 0, 2, true)
		expect("before", 2, 0, true)

		if err := lab.Partition([]int{0}, []int{2}); err != nil {
			t.Fatal(err)
		}
		expect("partitioned", 0, 2, false)
		expect("partitioned", 2, 0, false)
		expect("partitioned", 0, 1, true)
		expect("partitioned", 2, 1, true)
		for i := range lab.Hosts {
			if err := get(i); err != nil {
				t.Errorf("partitioned: root cannot reach host %d: %v", i, err)
			}
		}

		if err := lab.Heal(); err != nil {
			t.Fatal(err)
		}
		expect("healed", 0, 2, true)
		expect("healed", 2, 0, true)

		// A link taken down cuts its host off from everyone, root included,
		// and comes back whole.
		if err := lab.LinkDown(1); err != nil {
			t.Fatal(err)
		}
		expect("link 1 down", 0, 1, false)
		expect("link 1 down", 1, 2, false)
		expect("link 1 down", 0, 2, true)
		if err := get(1); err == nil {
			t.Errorf("link 1 down: root reaches host 1")
		}
		if err := lab.LinkUp(1); err != nil {
			t.Fatal(err)
		}
		expect("link 1 up", 0, 1, true)
		expect("link 1 up", 1, 2, true)
		if err := get(1); err != nil {
			t.Errorf("link 1 up: root cannot reach host 1: %v", err)
		}
	})
	if lab == nil {
		return
	}
	// The subtest's cleanups removed the lab.
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range lab.Hosts {
		if strings.Contains(string(out), h.Netns) {
			t.Errorf("namespace %s left behind:\n%s", h.Netns, out)
		}
	}
	if routes, _ := exec.Command("ip", "route").Output(); strings.Contains(string(routes), lab.RootAddr.String()) {
		t.Errorf("route of the lab left behind:\n%s", routes)
	}
}
