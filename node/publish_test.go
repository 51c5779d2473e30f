package node_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"validator/api"
	"validator/node"
	"validator/p2p"
)

// TestAPIRefusesPublishesPeersWouldReject: a junk heartbeat and a scheduling
// message from a validator are refused by the API with the reason, and
// nothing reaches the peers, so this node's score on them stays 1 and it
// still receives, and reaches, everyone afterwards.
func TestAPIRefusesPublishesPeersWouldReject(t *testing.T) {
	ctx := context.Background()
	d, err := node.StartDevnet(ctx, node.DevnetOptions{
		Validators: 3, RPCAddr: "127.0.0.1:0", Dir: t.TempDir(),
		Tune: func(_ int, c *node.Config) { c.Liveness.PingInterval = node.Duration(200 * time.Millisecond) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(context.Background())
	waitFor(t, "every validator to see the other two", func() bool {
		for _, n := range d.Nodes {
			if n.Service().PeerCount() < 2 {
				return false
			}
		}
		return true
	})
	self, peer := d.Nodes[0], d.Nodes[1]
	c := api.NewClient("http://" + self.APIAddr())
	defer c.Close()
	// scores is what each peer's API says of this node (nil: not yet tracked).
	scores := func() []*float64 {
		var out []*float64
		for _, p := range d.Nodes[1:] {
			pc := api.NewClient("http://" + p.APIAddr())
			peers, err := pc.Peers(ctx)
			pc.Close()
			if err != nil {
				t.Fatal(err)
			}
			var s *float64
			for _, e := range peers {
				if e.NodeID == self.Service().ID().NodeID {
					s = e.Score
				}
			}
			out = append(out, s)
		}
		return out
	}
	waitFor(t, "the peers to track the node", func() bool {
		for _, s := range scores() {
			if s == nil {
				return false
			}
		}
		return true
	})

	status := func(err error) (int, string) {
		se, ok := errors.AsType[*api.StatusError](err)
		if !ok {
			t.Fatalf("want an HTTP error, got %v", err)
		}
		return se.Code, se.Message
	}
	junk := []byte("this is not a heartbeat")
	if code, msg := status(c.Publish(ctx, p2p.TopicHeartbeats, junk)); code != http.StatusForbidden || !strings.Contains(msg, "daemon") {
		t.Errorf("junk heartbeat through the API: %d %q, want 403 saying the daemon sends heartbeats", code, msg)
	}
	// The p2p layer refuses it too, whoever calls it.
	if err := self.Service().Publish(ctx, p2p.TopicHeartbeats, junk); !errors.Is(err, p2p.ErrBadPayload) {
		t.Errorf("junk heartbeat through p2p: %v, want ErrBadPayload", err)
	}
	if code, msg := status(c.Publish(ctx, p2p.TopicScheduling, []byte("plan"))); code != http.StatusForbidden || !strings.Contains(msg, "coordinators") {
		t.Errorf("scheduling from a validator: %d %q, want 403 saying it is for coordinators", code, msg)
	}
	if err := self.Service().Publish(ctx, p2p.TopicScheduling, []byte("plan")); !errors.Is(err, p2p.ErrNotAllowed) {
		t.Errorf("scheduling through p2p: %v, want ErrNotAllowed", err)
	}

	// Reception and delivery both ways still work.
	sub, err := self.Service().Subscribe(p2p.TopicJobs)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	back, err := peer.Service().Subscribe(p2p.TopicJobs)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	time.Sleep(time.Second) // mesh
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := peer.Service().Publish(ctx, p2p.TopicJobs, []byte("after the junk")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.Next(rctx); err != nil || string(m.Payload) != "after the junk" {
		t.Fatalf("the node no longer receives: %q, %v", m.Payload, err)
	}
	if err := c.Publish(ctx, p2p.TopicJobs, []byte("from the node")); err != nil {
		t.Fatal(err)
	}
	if m, err := back.Next(rctx); err != nil || string(m.Payload) != "from the node" {
		t.Fatalf("the node no longer reaches its peers: %q, %v", m.Payload, err)
	}

	// The peers rejected nothing from it, and still score it 1.
	for i, s := range scores() {
		if s == nil || *s != 1 {
			t.Errorf("peer %d scores the node %v, want 1", i+1, s)
		}
	}
	for i, p := range d.Nodes[1:] {
		for _, k := range [][2]string{{p2p.TopicHeartbeats, "bad_heartbeat"}, {p2p.TopicScheduling, p2p.ReasonNotCoordinator}} {
			if v := metricValue(t, p.Metrics(), "validator_p2p_messages_total", map[string]string{"topic": k[0], "result": k[1]}); v != 0 {
				t.Errorf("peer %d counted %v %s messages on %s", i+1, v, k[1], k[0])
			}
		}
	}
}

// metricValue sums the series of metric name in reg whose labels include
// every pair of labels (all series when labels is empty). No such series
// fails the test: label sets are pre-initialised, so a miss is a wrong name.
func metricValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	found := false
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			match := true
			for k, v := range labels {
				match = match && have[k] == v
			}
			if !match {
				continue
			}
			found = true
			if m.GetCounter() != nil {
				sum += m.GetCounter().GetValue()
			} else {
				sum += m.GetGauge().GetValue()
			}
		}
	}
	if !found {
		t.Fatalf("no series %s%v registered", name, labels)
	}
	return sum
}
