package p2p_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"validator/p2p"
)

// dropped sums validator_p2p_gossip_dropped_total of a node on topic, for the
// given where ("" for all).
func dropped(t *testing.T, reg *prometheus.Registry, topic, where string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != "validator_p2p_gossip_dropped_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, lp := range m.GetLabel() {
				l[lp.GetName()] = lp.GetValue()
			}
			if l["topic"] == topic && (where == "" || l["where"] == where) {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// TestBurstReportsEveryDrop: a burst of 4 KB messages from one node, with
// several publishers at once, to three receivers, one of which reads its
// subscription too slowly. Every message Publish accepted is delivered to
// each receiver or counted as dropped; nothing goes missing silently.
func TestBurstReportsEveryDrop(t *testing.T) {
	const (
		M          = 2000 // messages attempted
		publishers = 8
		size       = 4 << 10
	)
	n := newLNet(t)
	pub := n.addNode(nil)
	fast1 := n.addNode(nil)
	slow := n.addNode(func(c *p2p.Config) { c.SubscriptionBuffer = 8 })
	fast2 := n.addNode(nil)
	nodes := []*testNode{pub, fast1, slow, fast2}
	for _, tn := range nodes {
		n.register(tn)
	}
	for _, tn := range nodes {
		n.start(tn, len(nodes))
	}
	waitFor(t, "full mesh of peers", func() bool {
		for _, tn := range nodes {
			if len(p2p.TopicPeers(tn.svc, p2p.TopicJobs)) < len(nodes)-1 {
				return false
			}
		}
		return true
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	receivers := nodes[1:]
	got := make([]atomic.Int64, len(receivers))
	var wg sync.WaitGroup
	for i, tn := range receivers {
		sub, err := tn.svc.Subscribe(p2p.TopicJobs)
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		wg.Go(func() {
			for {
				m, err := sub.Next(ctx)
				if err != nil {
					return
				}
				if m.Sender.ID != pub.id.NodeID {
					continue
				}
				got[i].Add(1)
				if tn == slow {
					time.Sleep(200 * time.Microsecond)
				}
			}
		})
	}
	time.Sleep(time.Second) // let the mesh form on the topic

	var accepted, busy atomic.Int64
	var next atomic.Int64
	var pw sync.WaitGroup
	began := time.Now()
	for range publishers {
		pw.Go(func() {
			payload := make([]byte, size)
			for {
				j := next.Add(1)
				if j > M {
					return
				}
				copy(payload, fmt.Sprintf("burst %08d", j))
				switch err := pub.svc.Publish(ctx, p2p.TopicJobs, payload); {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, p2p.ErrBusy):
					busy.Add(1)
				default:
					t.Error(err)
					return
				}
			}
		})
	}
	pw.Wait()
	took := time.Since(began)
	if accepted.Load()+busy.Load() != M {
		t.Fatalf("accepted %d + busy %d != attempted %d", accepted.Load(), busy.Load(), M)
	}
	acc := float64(accepted.Load())

	// Lost on the way to any receiver: drops at peers' outbound queues (own
	// at the publisher, relayed at the others), validation queues and the
	// per-peer rate bound. These
	// can lose a copy another path still delivers, so they bound what is
	// missing; a subscription's drop is final (each message reaches a
	// subscription once), so it is counted exactly.
	paths := func() float64 {
		var sum float64
		for _, tn := range nodes {
			sum += dropped(t, tn.reg, p2p.TopicJobs, "peer_queue") + dropped(t, tn.reg, p2p.TopicJobs, "validation")
			// A copy ignored because its forwarder exceeded the per-peer
			// rate bound is a drop too (counted by validation).
			sum += counter(t, tn.reg, "validator_p2p_messages_total", p2p.TopicJobs+",rate_limited")
		}
		return sum
	}
	accounted := func(i int) float64 {
		return float64(got[i].Load()) + dropped(t, receivers[i].reg, p2p.TopicJobs, "subscriber") + paths()
	}
	deadline := time.Now().Add(60 * time.Second)
	for i := range receivers {
		for accounted(i) < acc && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	time.Sleep(500 * time.Millisecond) // late copies would show by now
	cancel()
	wg.Wait()

	lost := paths()
	t.Logf("attempted %d in %s: accepted %d, refused busy %d; dropped on the way %v", M, took.Round(time.Millisecond), accepted.Load(), busy.Load(), lost)
	for i, tn := range receivers {
		d, sub := float64(got[i].Load()), dropped(t, tn.reg, p2p.TopicJobs, "subscriber")
		t.Logf("receiver %d: delivered %v, dropped at its subscription %v", i, d, sub)
		switch {
		case d+sub > acc:
			t.Errorf("receiver %d: delivered %v + subscription drops %v > accepted %v", i, d, sub, acc)
		case d+sub+lost < acc:
			t.Errorf("receiver %d: %v of %v accepted messages went missing without a counted drop (delivered %v, subscription drops %v, drops on the way %v)",
				i, acc-d-sub-lost, acc, d, sub, lost)
		case lost == 0 && d+sub != acc:
			t.Errorf("receiver %d: delivered %v + subscription drops %v != accepted %v", i, d, sub, acc)
		}
	}
	if dropped(t, slow.reg, p2p.TopicJobs, "subscriber") == 0 {
		t.Error("the slow subscriber dropped nothing: the test did not exercise a drop")
	}
	if own := dropped(t, pub.reg, p2p.TopicJobs, "peer_queue"); own != 0 {
		t.Errorf("the publisher dropped %v of its own messages at peers' queues; Publish should have waited or refused", own)
	}
}
