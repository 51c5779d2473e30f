package node_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"validator/node"
	"validator/p2p"
)

var burst = flag.Int("burst", 0, "run TestBurstThroughAPI with this many 4 KB messages (0 skips it), e.g. -burst 25000")

// TestBurstThroughAPI measures the delivered share of a burst published
// through the HTTP API of one of 4 devnet validators by 8 concurrent clients
// that retry a 503 after its Retry-After. It is a measurement, run on demand:
//
//	go test ./node -run TestBurstThroughAPI -burst 25000 -count=1 -v
//
// It fails only if a message went missing without a counted drop.
func TestBurstThroughAPI(t *testing.T) {
	if *burst == 0 {
		t.Skip("a measurement: run with -burst N")
	}
	const (
		validators = 4
		clients    = 8
		size       = 4 << 10
	)
	ctx := context.Background()
	d, err := node.StartDevnet(ctx, node.DevnetOptions{
		Validators: validators, RPCAddr: "127.0.0.1:0", Dir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(context.Background())
	waitFor(t, "every validator to see the others", func() bool {
		for _, n := range d.Nodes {
			if n.Service().PeerCount() < validators-1 {
				return false
			}
		}
		return true
	})
	time.Sleep(2 * time.Second) // meshes

	url := "http://" + d.Nodes[0].APIAddr() + "/v1/publish/" + p2p.TopicJobs
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var next, accepted, refused atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			payload := make([]byte, size)
			for {
				j := next.Add(1)
				if j > int64(*burst) {
					return
				}
				copy(payload, fmt.Sprintf("burst %08d", j))
				for {
					resp, err := hc.Post(url, "application/octet-stream", bytes.NewReader(payload))
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusAccepted {
						accepted.Add(1)
						break
					}
					if resp.StatusCode != http.StatusServiceUnavailable {
						t.Errorf("publish: %s", resp.Status)
						return
					}
					refused.Add(1)
					after, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
					time.Sleep(time.Duration(max(after, 1)) * time.Second)
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	acc := float64(accepted.Load())

	received := func(n *node.Node) float64 {
		return metricValue(t, n.Metrics(), "validator_p2p_messages_total", map[string]string{"topic": p2p.TopicJobs, "result": p2p.ReasonOK})
	}
	drops := func() float64 {
		var sum float64
		for _, n := range d.Nodes {
			sum += metricValue(t, n.Metrics(), "validator_p2p_gossip_dropped_total", map[string]string{"topic": p2p.TopicJobs})
			sum += metricValue(t, n.Metrics(), "validator_p2p_messages_total", map[string]string{"topic": p2p.TopicJobs, "result": p2p.ReasonRateLimited})
		}
		return sum
	}
	deadline := time.Now().Add(2 * time.Minute)
	for _, n := range d.Nodes[1:] {
		for received(n)+drops() < acc && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(time.Second)
	t.Logf("%d x %d B through the API of 1 of %d validators, %d clients: %d accepted (202) in %s (%.0f msg/s), %d answers 503 (retried)",
		*burst, size, validators, clients, accepted.Load(), took.Round(time.Millisecond), acc/took.Seconds(), refused.Load())
	lost := drops()
	for i, n := range d.Nodes[1:] {
		r := received(n)
		t.Logf("validator %d received %.0f of %.0f (%.2f %%)", i+1, r, acc, 100*r/acc)
		if r+lost < acc {
			t.Errorf("validator %d: %.0f messages missing without a counted drop", i+1, acc-r-lost)
		}
	}
	t.Logf("drops counted on the way (all nodes, topic jobs): %.0f", lost)
}
