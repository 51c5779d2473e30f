package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"validator/api"
)

func (e *env) sseClients(t *testing.T) float64 {
	return e.metric(t, "validator_api_sse_clients", nil)
}

func (e *env) ended(t *testing.T, reason string) float64 {
	return e.metric(t, "validator_api_sse_streams_ended_total", map[string]string{"reason": reason})
}

func TestSubscribeTwoSubscribersInOrder(t *testing.T) {
	e := start(t, api.Config{})
	// The burst below must not overflow the network side, which drops like
	// pubsub does when a pump falls behind (a busy machine): what is under
	// test is the order and completeness of what the API hands on.
	const n = 200
	e.net.set(func(f *fakeNet) { f.subBuffer = 2 * n })
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	s1, err := e.c.Subscribe(ctx1, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := e.c.Subscribe(ctx2, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	// Subscribe returns once the node has subscribed, so nothing published
	// from here on can be missed.
	if n := e.net.subCount(); n != 2 {
		t.Fatalf("network subscriptions %d, want 2", n)
	}
	if g := e.sseClients(t); g != 2 {
		t.Errorf("sse clients gauge %v, want 2", g)
	}

	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := e.c.Publish(context.Background(), "jobs", fmt.Appendf(nil, "msg-%03d", i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	// Another topic's traffic must not reach these streams.
	if err := e.c.Publish(context.Background(), "storage", []byte("elsewhere")); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]<-chan api.Message{"first": s1, "second": s2} {
		for i := range n {
			m, ok := <-ch
			if !ok {
				t.Fatalf("%s subscriber: stream ended after %d messages", name, i)
			}
			if want := fmt.Sprintf("msg-%03d", i); string(m.Payload) != want || m.Topic != "jobs" || m.Sender != e.net.sender || m.ID == "" || m.Timestamp.IsZero() {
				t.Fatalf("%s subscriber message %d: %+v (payload %q), want %q", name, i, m, m.Payload, want)
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := e.net.dropped; d != 0 {
		t.Errorf("the network dropped %d messages", d)
	}

	// The first client goes away: its stream and network subscription end,
	// the other keeps going.
	cancel1()
	for range s1 { // the channel closes
	}
	eventually(t, "the first stream to end", func() bool { return e.net.subCount() == 1 && e.sseClients(t) == 1 })
	if err := e.c.Publish(context.Background(), "jobs", []byte("after")); err != nil {
		t.Fatal(err)
	}
	if m := <-s2; string(m.Payload) != "after" {
		t.Fatalf("second subscriber after the first left: %q", m.Payload)
	}
	cancel2()
	for range s2 {
	}
	eventually(t, "every stream to end", func() bool { return e.net.subCount() == 0 && e.sseClients(t) == 0 })
	if got := e.ended(t, "client"); got != 2 {
		t.Errorf("streams ended by the client: %v, want 2", got)
	}
	if got := e.metric(t, "validator_api_sse_messages_total", nil); got != 2*n+1 {
		t.Errorf("sse messages written: %v, want %d", got, 2*n+1)
	}
}

// The wire format is the documented one, readable without our client.
func TestSubscribeWireFormat(t *testing.T) {
	e := start(t, api.Config{Heartbeat: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL()+"/v1/subscribe/jobs", nil)
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	if err := e.c.Publish(context.Background(), "jobs", []byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(resp.Body)
	var sawHeartbeat, sawMessage bool
	for !sawHeartbeat || !sawMessage {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		switch {
		case line == ": heartbeat\n":
			sawHeartbeat = true
		case line == "event: message\n":
			data, _ := r.ReadString('\n')
			blank, _ := r.ReadString('\n')
			d, ok := strings.CutPrefix(data, "data: ")
			if !ok || blank != "\n" {
				t.Fatalf("event framing: %q %q", data, blank)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(d), &m); err != nil {
				t.Fatalf("data %q: %v", d, err)
			}
			for _, k := range []string{"id", "topic", "sender", "timestamp", "payload_base64"} {
				if _, ok := m[k]; !ok {
					t.Errorf("data lacks %q: %s", k, d)
				}
			}
			if m["payload_base64"] != "aGkK" { // base64("hi\n")
				t.Errorf("payload_base64 %v", m["payload_base64"])
			}
			sawMessage = true
		}
	}
}

func TestSubscribeErrors(t *testing.T) {
	e := start(t, api.Config{})
	_, err := e.c.Subscribe(context.Background(), "gossip")
	if se, ok := errors.AsType[*api.StatusError](err); !ok || se.Code != http.StatusNotFound || !strings.Contains(se.Message, `unknown topic "gossip"`) {
		t.Fatalf("unknown topic: %v", err)
	}
	e.net.set(func(n *fakeNet) { n.subscribeErr = errors.New("pubsub closed") })
	_, err = e.c.Subscribe(context.Background(), "jobs")
	if se, ok := errors.AsType[*api.StatusError](err); !ok || se.Code != http.StatusServiceUnavailable || !strings.Contains(se.Message, "pubsub closed") {
		t.Fatalf("subscribe failure: %v", err)
	}
	if g := e.sseClients(t); g != 0 {
		t.Errorf("gauge after refused subscriptions: %v", g)
	}
	if code, _, _ := e.do(t, http.MethodPost, "/v1/subscribe/jobs", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("POST subscribe: %d", code)
	}
}

func TestSubscriberLimit(t *testing.T) {
	e := start(t, api.Config{MaxSubscribers: 2})
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	s1, err := e.c.Subscribe(ctx1, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Subscribe(ctx2, "sync"); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.Subscribe(context.Background(), "jobs")
	se, ok := errors.AsType[*api.StatusError](err)
	if !ok || se.Code != http.StatusServiceUnavailable || !strings.Contains(se.Message, "too many subscribers: the limit is 2") {
		t.Fatalf("third subscriber: %v", err)
	}
	if n := e.net.subCount(); n != 2 {
		t.Errorf("a refused subscriber reached the network: %d subscriptions", n)
	}

	// A slot frees when a subscriber leaves.
	cancel1()
	for range s1 {
	}
	eventually(t, "the slot to free", func() bool { return e.sseClients(t) == 1 })
	ctx3, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	if _, err := e.c.Subscribe(ctx3, "jobs"); err != nil {
		t.Fatalf("subscriber after a slot freed: %v", err)
	}
}

// A client that stops reading is disconnected once its buffer fills, while a
// client that keeps up on the same topic receives everything and the network
// is never made to wait.
func TestSlowSubscriberDisconnected(t *testing.T) {
	e := start(t, api.Config{SubscriberBuffer: 4})

	// The slow client: sends the request, reads the headers, then nothing.
	conn, err := net.Dial("tcp", e.srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /v1/subscribe/jobs HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, "200") {
		t.Fatalf("slow client status %q %v", status, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fast, err := e.c.Subscribe(ctx, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "both subscribers", func() bool { return e.net.subCount() == 2 })

	payload := bytes.Repeat([]byte{0x5a}, 64<<10)
	const maxMsgs = 5000 // ~440 MB of events; the socket buffers hold far less
	sent := 0
	for ; e.ended(t, "slow_consumer") < 1; sent++ {
		if sent == maxMsgs {
			t.Fatalf("the slow subscriber was never disconnected after %d messages", sent)
		}
		// Publishing goes straight to the network, as gossip arriving would.
		if err := e.net.Publish(context.Background(), "jobs", payload); err != nil {
			t.Fatal(err)
		}
		m, ok := <-fast
		if !ok {
			t.Fatalf("the fast subscriber was cut after %d messages", sent)
		}
		if want := fmt.Sprintf("%040x", sent+1); m.ID != want {
			t.Fatalf("fast subscriber got %s, want %s", m.ID, want)
		}
	}
	eventually(t, "the slow stream to close", func() bool { return e.sseClients(t) == 1 && e.net.subCount() == 1 })
	e.net.mu.Lock()
	dropped := e.net.dropped
	e.net.mu.Unlock()
	if dropped != 0 {
		t.Errorf("the network had to drop %d messages for the API", dropped)
	}

	// The server closed the slow client's connection: reading now reaches EOF.
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Errorf("slow client's connection was not closed: %v", err)
	}

	// The fast subscriber is unaffected.
	if err := e.net.Publish(context.Background(), "jobs", []byte("still here")); err != nil {
		t.Fatal(err)
	}
	if m := <-fast; string(m.Payload) != "still here" {
		t.Fatalf("fast subscriber after the slow one was cut: %q", m.Payload)
	}
	t.Logf("slow subscriber cut after %d messages of %d bytes", sent, len(payload))
}

func TestCloseEndsStreams(t *testing.T) {
	e := start(t, api.Config{})
	ch, err := e.c.Subscribe(context.Background(), "jobs")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL()+"/v1/subscribe/sync", nil)
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	// The client's channel closes (no context of its own ends it).
	for range ch {
	}
	// A raw reader sees the reason, then the end of the stream.
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read after close: %v", err)
	}
	if !bytes.Contains(rest, []byte("event: end\ndata: {\"reason\":\"shutdown\"}\n\n")) {
		t.Errorf("stream tail %q", rest)
	}
	if got := e.ended(t, "shutdown"); got != 2 {
		t.Errorf("streams ended by shutdown: %v", got)
	}
	if g, n := e.sseClients(t), e.net.subCount(); g != 0 || n != 0 {
		t.Errorf("after close: gauge %v, subscriptions %d", g, n)
	}
}
