package p2p_test

import (
	"testing"
	"time"

	"github.com/golang/snappy"

	"validator/p2p"
)

// BenchmarkCompression measures, in one run, a realistic JSON payload of
// 4 KiB and one of 256 B sent raw and snappy-compressed (CompressPayload with
// threshold 1, so the rule alone decides): bytes on the wire per message
// (wire_bytes/msg, the whole envelope), and CPU per message for each side:
// send (compress, sign, encode: Publish's path), receive (Validate: decode,
// bounded header checks, signature, decompress), and the snappy step alone
// (compress, decompress). Figures are in docs/benchmarks.md.
//
//	go test ./p2p -run '^$' -bench BenchmarkCompression -benchtime 2000x
func BenchmarkCompression(b *testing.B) {
	fx := newFixture(b)
	val := newValidator(b, fx.members, p2p.ValidatorConfig{Network: testNet, Now: func() time.Time { return testNow }})
	alice := testKey(b, "alice")
	for _, size := range []struct {
		name    string
		payload []byte
	}{{"4KiB_json", jsonPayload(4096)}, {"256B_json", jsonPayload(256)}} {
		for _, mode := range []struct {
			name string
			min  int
		}{{"raw", 0}, {"snappy", 1}} {
			e, err := p2p.SignEnvelopeCompressed(alice, testNet, p2p.TopicJobs, size.payload, testNow, mode.min)
			if err != nil {
				b.Fatal(err)
			}
			data := encode(b, e)
			if v := val.Validate(p2p.TopicJobs, data); v.Result != p2p.Accept {
				b.Fatalf("%s/%s: %s/%s", size.name, mode.name, v.Result, v.Reason)
			}
			report := func(b *testing.B) {
				b.ReportMetric(float64(len(data)), "wire_bytes/msg")
				b.ReportMetric(float64(len(size.payload)), "payload_bytes/msg")
			}
			prefix := size.name + "/" + mode.name
			b.Run(prefix+"/send", func(b *testing.B) {
				for b.Loop() {
					e, err := p2p.SignEnvelopeCompressed(alice, testNet, p2p.TopicJobs, size.payload, testNow, mode.min)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := p2p.EncodeEnvelope(e); err != nil {
						b.Fatal(err)
					}
				}
				report(b)
			})
			b.Run(prefix+"/receive", func(b *testing.B) {
				for b.Loop() {
					if v := val.Validate(p2p.TopicJobs, data); v.Result != p2p.Accept {
						b.Fatal(v.Reason)
					}
				}
				report(b)
			})
		}
		block := snappy.Encode(nil, size.payload)
		b.Run(size.name+"/snappy_only/compress", func(b *testing.B) {
			for b.Loop() {
				p2p.CompressPayload(size.payload, 1)
			}
			b.ReportMetric(float64(len(block)), "block_bytes/msg")
		})
		b.Run(size.name+"/snappy_only/decompress", func(b *testing.B) {
			e := &p2p.Envelope{Payload: block, Encoding: p2p.EncodingSnappy}
			for b.Loop() {
				if _, err := e.Content(1 << 20); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(block)), "block_bytes/msg")
		})
	}
}
