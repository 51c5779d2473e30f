package p2p_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/golang/snappy"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"

	"validator/p2p"
)

// jsonPayload is a realistic application message of exactly n bytes (n >=
// 200): a JSON job with repeated keys and hex values, padded by a memo of
// hex noise.
func jsonPayload(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"job":"settle-batch","id":"0x5f3a","shard":7,"inputs":[`)
	const tail = `{"account":"0x0","amount":"0","nonce":0}],"memo":"` // then the memo and "}
	for i := 0; ; i++ {
		item := fmt.Sprintf(`{"account":"0x%040x","amount":"%d","nonce":%d},`, uint64(i)*0x9e3779b97f4a7c15, 1_000_000_007*uint64(i+1), i)
		if b.Len()+len(item)+len(tail)+2 > n {
			break
		}
		b.WriteString(item)
	}
	b.WriteString(tail)
	var memo strings.Builder // hex noise, not a run snappy would collapse
	for i := uint64(1); memo.Len() < n; i++ {
		fmt.Fprintf(&memo, "%016x", i*0xbf58476d1ce4e5b9)
	}
	b.WriteString(memo.String()[:max(n-b.Len()-2, 0)])
	b.WriteString(`"}`)
	return []byte(b.String())
}

// TestCompressPayloadRule: compress only at or above the threshold, only
// when the block is shorter, never with threshold 0; the same payload gives
// the same bytes every time (one message, one encoding, one message ID).
func TestCompressPayloadRule(t *testing.T) {
	js := jsonPayload(4096)
	random := make([]byte, 4096)
	_, _ = rand.Read(random)
	for _, c := range []struct {
		name     string
		payload  []byte
		min      int
		wantComp bool
	}{
		{"json at the threshold", js, len(js), true},
		{"json below the threshold", js, len(js) + 1, false},
		{"threshold 0 never compresses", js, 0, false},
		{"incompressible", random, 1, false},
		{"tiny", []byte("ab"), 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			wire, enc := p2p.CompressPayload(c.payload, c.min)
			if (enc == p2p.EncodingSnappy) != c.wantComp {
				t.Fatalf("encoding %d, want compressed %v", enc, c.wantComp)
			}
			if enc == p2p.EncodingRaw {
				if !bytes.Equal(wire, c.payload) {
					t.Fatal("raw payload altered")
				}
				return
			}
			if len(wire) >= len(c.payload) {
				t.Fatalf("compressed %d bytes to %d", len(c.payload), len(wire))
			}
			again, _ := p2p.CompressPayload(c.payload, c.min)
			if !bytes.Equal(again, wire) {
				t.Fatal("compressing twice gives different bytes")
			}
		})
	}
}

// TestCompressedEnvelopeRoundTrip: a compressed envelope is signed over its
// encoding and compressed bytes, validates, and yields the original payload;
// dropping or changing the encoding breaks the signature.
func TestCompressedEnvelopeRoundTrip(t *testing.T) {
	fx := newFixture(t)
	val := newValidator(t, fx.members, p2p.ValidatorConfig{Network: testNet, Now: func() time.Time { return testNow }})
	alice := testKey(t, "alice")
	payload := jsonPayload(4096)
	e, err := p2p.SignEnvelopeCompressed(alice, testNet, p2p.TopicJobs, payload, testNow, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if e.Encoding != p2p.EncodingSnappy || len(e.Payload) >= len(payload) {
		t.Fatalf("encoding %d, %d bytes for %d", e.Encoding, len(e.Payload), len(payload))
	}
	data := encode(t, e)
	v := val.Validate(p2p.TopicJobs, data)
	if v.Result != p2p.Accept || !bytes.Equal(v.Payload, payload) {
		t.Fatalf("verdict %s/%s, payload %d bytes equal %v", v.Result, v.Reason, len(v.Payload), bytes.Equal(v.Payload, payload))
	}
	raw := *e
	raw.Encoding = p2p.EncodingRaw
	if v := val.Validate(p2p.TopicJobs, encode(t, &raw)); v.Reason != p2p.ReasonBadSignature {
		t.Fatalf("encoding dropped: %s/%s, want bad_signature", v.Result, v.Reason)
	}
	// A raw envelope's payload is delivered as is.
	small := sealAt(t, alice, testNet, p2p.TopicJobs, []byte("small"), testNow)
	if v := val.Validate(p2p.TopicJobs, small); v.Result != p2p.Accept || string(v.Payload) != "small" {
		t.Fatalf("raw: %s/%s %q", v.Result, v.Reason, v.Payload)
	}
}

// TestDecompressionIsBounded: Content refuses, before allocating, a header
// over the cap (ErrTooLargeDecompressed) and a header claiming more than the
// block can hold (ErrBadCompression), so a small message never makes a
// node allocate its claim.
func TestDecompressionIsBounded(t *testing.T) {
	big := snappy.Encode(nil, make([]byte, 1<<20)) // ~49 KiB block of 1 MiB of zeros
	bomb := []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x'}
	for _, c := range []struct {
		name    string
		payload []byte
		cap     int
		want    error
	}{
		{"over the cap", big, 64 << 10, p2p.ErrTooLargeDecompressed},
		{"bomb under a huge cap", bomb, 1 << 40, p2p.ErrBadCompression},
		{"bomb under the cap", bomb, 64 << 10, p2p.ErrBadCompression},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := &p2p.Envelope{Payload: c.payload, Encoding: p2p.EncodingSnappy}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			const runs = 20
			for range runs {
				if _, err := e.Content(c.cap); !errors.Is(err, c.want) {
					t.Fatalf("error %v, want %v", err, c.want)
				}
			}
			runtime.ReadMemStats(&after)
			if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 4<<10 {
				t.Fatalf("allocated %d bytes per refused message", per)
			}
		})
	}
	// The control: under a cap that fits, the same block decompresses.
	e := &p2p.Envelope{Payload: big, Encoding: p2p.EncodingSnappy}
	if c, err := e.Content(1 << 20); err != nil || len(c) != 1<<20 {
		t.Fatalf("%d bytes, %v", len(c), err)
	}
}

// TestCompressedGossip: a node with gossip.compress_min_bytes set publishes
// a 4 KiB JSON payload compressed (fewer bytes on the wire than the payload)
// and a peer that does not compress delivers it decompressed; a small
// payload from the same node stays raw.
func TestCompressedGossip(t *testing.T) {
	mn := mocknet.New()
	defer mn.Close()
	members := p2p.NewStaticMembership()
	var svcs []*p2p.Service
	var regs []*prometheus.Registry
	for i := range 2 {
		id, err := p2p.NewIdentity(seedKey(t, fmt.Sprintf("compress-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		h, err := mn.AddPeer(id.Priv, ma.StringCast(fmt.Sprintf("/ip4/10.0.0.%d/tcp/4001", i+1)))
		if err != nil {
			t.Fatal(err)
		}
		members.Put(p2p.Member{ID: id.NodeID, PeerID: id.PeerID, Addrs: h.Addrs(), PubKey: pubOf(seedKey(t, fmt.Sprintf("compress-%d", i)))})
		cfg := testConfig(testNet)
		cfg.Host = h
		reg := prometheus.NewRegistry()
		cfg.Registerer = reg
		if i == 0 {
			cfg.CompressMinBytes = 512
		}
		svc, err := p2p.New(id, members, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Close() })
		svcs, regs = append(svcs, svc), append(regs, reg)
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	a, b := svcs[0], svcs[1]
	sub, err := b.Subscribe(p2p.TopicJobs)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	for _, s := range svcs {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitJoined(t, a, b, 30*time.Second)
	big, small := jsonPayload(4096), []byte("a small payload stays raw")
	for _, p := range [][]byte{big, small} {
		// Publish until b delivers one (the first may precede b's mesh);
		// every copy is a new message (a new timestamp) of the same size.
		before := counter(t, regs[0], "validator_p2p_published_bytes_total", p2p.TopicJobs)
		if err := a.Publish(ctx, p2p.TopicJobs, p); err != nil {
			t.Fatal(err)
		}
		sent := counter(t, regs[0], "validator_p2p_published_bytes_total", p2p.TopicJobs) - before
		pubCtx, stop := context.WithCancel(ctx)
		go func() {
			for pubCtx.Err() == nil {
				time.Sleep(200 * time.Millisecond)
				_ = a.Publish(pubCtx, p2p.TopicJobs, p)
			}
		}()
		// Skip copies of the previous payload still queued; a payload
		// delivered wrong never matches, and the test times out.
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				t.Fatalf("no message with the %d-byte payload: %v", len(p), err)
			}
			if bytes.Equal(m.Payload, p) {
				break
			}
		}
		stop()
		if compressed := int(sent) < len(p); compressed != (len(p) >= 512) {
			t.Fatalf("%d-byte payload sent as a %.0f-byte envelope", len(p), sent)
		}
	}
}
