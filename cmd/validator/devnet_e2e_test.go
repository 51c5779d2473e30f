//go:build unix

package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/api"
	"validator/store"
)

// e2eDevnet is a `validator devnet` subprocess and its validators' APIs.
type e2eDevnet struct {
	proc *e2eProc
	dir  string
	rpc  string   // the chain's JSON-RPC URL
	apis []string // host:port of validator i's API
}

// e2eStartDevnet runs `validator devnet` on free ports and waits until every
// validator's /readyz answers 200. A port taken between the check and the
// bind is retried with new ports.
func e2eStartDevnet(t *testing.T, validators int, extra ...string) *e2eDevnet {
	t.Helper()
	for attempt := 1; ; attempt++ {
		rpc := e2eFreePorts(t, 1)[0]
		bases := e2eFreeRanges(t, validators, validators)
		d := &e2eDevnet{dir: filepath.Join(t.TempDir(), "devnet"), rpc: fmt.Sprintf("http://127.0.0.1:%d", rpc)}
		for i := range validators {
			d.apis = append(d.apis, fmt.Sprintf("127.0.0.1:%d", bases[1]+i))
		}
		d.proc = e2eStart(t, "devnet", nil, append([]string{"devnet",
			"--validators", strconv.Itoa(validators),
			"--rpc", fmt.Sprintf("127.0.0.1:%d", rpc),
			"--p2p-port", strconv.Itoa(bases[0]),
			"--api-port", strconv.Itoa(bases[1]),
			"--dir", d.dir}, extra...)...)
		err := d.waitReady(90 * time.Second)
		if err == nil {
			return d
		}
		if d.proc.exited() && strings.Contains(d.proc.stderr.String(), "address already in use") && attempt < 3 {
			t.Logf("devnet attempt %d: a port was taken, retrying with others", attempt)
			continue
		}
		t.Fatal(err)
	}
}

func (d *e2eDevnet) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 5 * time.Second}
	for {
		if d.proc.exited() {
			return fmt.Errorf("devnet exited before its validators were ready: code %d\n--- stderr (tail):\n%s", d.proc.exitCode(), e2eTail(d.proc.stderr.String(), 60))
		}
		var notReady []string
		for i, a := range d.apis {
			resp, err := hc.Get("http://" + a + "/readyz")
			if err != nil {
				notReady = append(notReady, fmt.Sprintf("validator %d: %v", i, err))
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				notReady = append(notReady, fmt.Sprintf("validator %d: %d %s", i, resp.StatusCode, bytes.TrimSpace(body)))
			}
		}
		if len(notReady) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("devnet validators not ready within %s: %s", timeout, strings.Join(notReady, "; "))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestDevnetEndToEnd runs `validator devnet` with three validators, gossips a
// message from validator 0 to an SSE subscriber on validator 2 through the
// local APIs, lists validator 0's peers with `validator peers`, stops the
// devnet with SIGTERM and reopens every validator's store.
func TestDevnetEndToEnd(t *testing.T) {
	e2eBinary(t)
	step := e2eSteps(t)
	const n = 3
	d := e2eStartDevnet(t, n)
	step("devnet ready: APIs %v", d.apis)
	procs := []*e2eProc{d.proc}

	clients := make([]*api.Client, n)
	ids := make([]common.Address, n)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, a := range d.apis {
		clients[i] = api.NewClient(a)
		defer clients[i].Close()
		st, err := clients[i].Status(ctx)
		if err != nil {
			t.Fatalf("status of validator %d: %v", i, err)
		}
		ids[i] = st.NodeID
	}
	if !strings.Contains(d.proc.stdout.String(), ids[0].Hex()) {
		t.Errorf("devnet banner does not name validator 0's node %s:\n%s", ids[0], d.proc.stdout.String())
	}

	// Every validator connects to the other two and probes them: after a
	// probe answered, the liveness state is in the store.
	e2eWaitFor(t, "every validator connected to and probing the other two", 60*time.Second, procs, func() error {
		for i, c := range clients {
			peers, err := c.Peers(ctx)
			if err != nil {
				return err
			}
			for j, id := range ids {
				if j == i {
					continue
				}
				k := slices.IndexFunc(peers, func(p api.Peer) bool { return p.NodeID == id })
				if k < 0 || !peers[k].Connected || peers[k].State != "responsive" {
					return fmt.Errorf("validator %d: peer %d (%s) not connected and responsive: %+v", i, j, id, peers)
				}
			}
		}
		return nil
	})

	step("every validator connected to and probing the other two")
	// SSE on validator 2, publish on validator 0.
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	msgs, err := clients[2].Subscribe(sctx, "jobs")
	if err != nil {
		t.Fatalf("subscribe to jobs on validator 2: %v", err)
	}
	var published [][]byte
	publish := func() {
		payload := fmt.Appendf(nil, "hello from validator 0 #%d", len(published))
		resp, err := http.Post("http://"+d.apis[0]+"/v1/publish/jobs", "application/octet-stream", bytes.NewReader(payload))
		if err != nil {
			t.Fatalf("publish on validator 0: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("publish on validator 0: %d %s, want 202", resp.StatusCode, body)
		}
		published = append(published, payload)
	}
	// The first publish can race the topic subscriptions between the
	// validators; publish again (a new payload) every few seconds until one
	// arrives. Every message that arrives must be one of ours, from validator 0.
	publish()
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	timeout := time.After(30 * time.Second)
	var got api.Message
wait:
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatal("SSE stream of validator 2 ended before a message arrived")
			}
			got = m
			break wait
		case <-tick.C:
			d.proc.failIfExited(t)
			publish()
		case <-timeout:
			t.Fatalf("no message on validator 2's SSE stream within 30s of %d publishes on validator 0", len(published))
		}
	}
	if got.Sender != ids[0] || got.Topic != "jobs" || !slices.ContainsFunc(published, func(p []byte) bool { return bytes.Equal(p, got.Payload) }) {
		t.Errorf("validator 2 got %q on %q from %s; want one of %q on jobs from validator 0 (%s)", got.Payload, got.Topic, got.Sender, published, ids[0])
	}
	scancel()
	step("message from validator 0 arrived over SSE at validator 2 (%d publishes)", len(published))

	// `validator peers` lists the other two.
	r := e2eMustRun(t, 30*time.Second, nil, "peers", "--api", d.apis[0])
	for j := 1; j < n; j++ {
		if !strings.Contains(r.stdout, ids[j].Hex()) {
			t.Errorf("validator peers --api %s does not list validator %d (%s):\n%s", d.apis[0], j, ids[j], r.stdout)
		}
	}
	if strings.Contains(r.stdout, ids[0].Hex()) {
		t.Errorf("validator peers --api %s lists the node itself (%s):\n%s", d.apis[0], ids[0], r.stdout)
	}
	rs := e2eMustRun(t, 30*time.Second, nil, "status", "--api", d.apis[1], "--json")
	var status struct {
		Status api.Status    `json:"status"`
		Ready  api.Readiness `json:"ready"`
	}
	if err := json.Unmarshal([]byte(rs.stdout), &status); err != nil {
		t.Fatalf("validator status --json: %v\n%s", err, rs)
	}
	if status.Status.NodeID != ids[1] || status.Status.PeerCount != n-1 || !status.Ready.Ready {
		t.Errorf("validator status --api %s: node %s, %d peers, ready %v; want %s, %d, true", d.apis[1], status.Status.NodeID, status.Status.PeerCount, status.Ready.Ready, ids[1], n-1)
	}
	rj := e2eMustRun(t, 30*time.Second, nil, "peers", "--api", d.apis[0], "--json")
	var peers []api.Peer
	if err := json.Unmarshal([]byte(rj.stdout), &peers); err != nil {
		t.Fatalf("validator peers --json: %v\n%s", err, rj.stdout)
	}
	if len(peers) != n-1 {
		t.Errorf("validator peers --json lists %d peers, want %d: %s", len(peers), n-1, rj.stdout)
	}
	for _, p := range peers {
		if p.GossipScore != nil && *p.GossipScore < 0 {
			t.Errorf("honest peer %s has gossipsub score %v", p.NodeID, *p.GossipScore)
		}
	}
	if rt := e2eMustRun(t, 30*time.Second, nil, "status", "--api", d.apis[1]); !strings.Contains(rt.stdout, "registration") || !strings.Contains(rt.stdout, "active") {
		t.Errorf("validator status does not show the registration:\n%s", rt.stdout)
	}

	// SIGTERM: a clean exit within the daemon's 30s shutdown deadline.
	d.proc.terminate(t, 30*time.Second)
	if !strings.Contains(d.proc.stdout.String(), "devnet stopped") {
		t.Errorf("devnet did not report its stop on stdout:\n%s", e2eTail(d.proc.stdout.String(), 10))
	}
	step("devnet stopped")
	if t.Failed() {
		return
	}

	// Every store closed cleanly: it reopens and holds the liveness records of
	// the other two validators.
	for i := range n {
		dir := filepath.Join(d.dir, fmt.Sprintf("validator-%d", i))
		st, err := store.Open(dir)
		if err != nil {
			t.Errorf("reopen store of validator %d in %s: %v", i, dir, err)
			continue
		}
		recs, err := st.Peers()
		if err != nil {
			t.Errorf("validator %d: read peer records: %v", i, err)
		}
		for j, id := range ids {
			if j != i && !slices.ContainsFunc(recs, func(p store.PeerRecord) bool { return p.Peer == id }) {
				t.Errorf("validator %d: store has no record of validator %d (%s): %+v", i, j, id, recs)
			}
		}
		if err := st.Close(); err != nil {
			t.Errorf("close store of validator %d: %v", i, err)
		}
	}
}
