//go:build unix

package p2p_test

import (
	"bytes"
	"encoding/binary"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/peer"

	"validator/p2p"
)

// benchMembers is the membership size in benchmarks, so the sender lookup
// is into a map of realistic size.
const benchMembers = 10_000

// benchEnvelope returns a validator over benchMembers members and the wire
// bytes of a valid jobs envelope with a 256-byte payload by one of them.
func benchEnvelope(b *testing.B) (*p2p.Validator, []byte) {
	b.Helper()
	alice := testKey(b, "alice")
	members := p2p.NewStaticMembership(testMember(b, alice, false))
	for i := range benchMembers - 1 {
		var id common.Address
		binary.BigEndian.PutUint64(id[12:], uint64(i)+1)
		members.Put(p2p.Member{ID: id, PeerID: peer.ID(id[:])})
	}
	v := newValidator(b, members, p2p.ValidatorConfig{Network: testNet, Now: func() time.Time { return testNow }})
	data := sealAt(b, alice, testNet, p2p.TopicJobs, bytes.Repeat([]byte{0xab}, 256), testNow)
	if got := v.Validate(p2p.TopicJobs, data); got.Result != p2p.Accept {
		b.Fatalf("benchmark envelope: %s/%s", got.Result, got.Reason)
	}
	return v, data
}

// cpuTime is the CPU time this process has used, user plus system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn (the timed loop) and adds two metrics: msg/s, throughput
// in wall time (under RunParallel the whole machine's, GOMAXPROCS
// goroutines); and cpu-ns/op, the process CPU time per operation, GC
// included, which is the per-core cost and, unlike ns/op, holds steady on a
// machine shared with other load.
func measure(b *testing.B, fn func()) {
	b.ReportAllocs()
	start := cpuTime(b)
	fn()
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// BenchmarkValidateEnvelope is the full pipeline on a valid 256-byte-payload
// envelope: size, decode, network, topic, window, membership, role, low-s
// check, Ecrecover. Compare with BenchmarkEcrecover, its floor.
func BenchmarkValidateEnvelope(b *testing.B) {
	v, data := benchEnvelope(b)
	b.Run("serial", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		measure(b, func() {
			for b.Loop() {
				if v.Validate(p2p.TopicJobs, data).Result != p2p.Accept {
					b.Fatal("not accepted")
				}
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		measure(b, func() {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if v.Validate(p2p.TopicJobs, data).Result != p2p.Accept {
						b.Error("not accepted")
						return
					}
				}
			})
		})
	})
	// interleaved alternates one validation and one bare Ecrecover of the same
	// envelope and times each, so load from elsewhere on the machine hits both
	// alike; ratio is validation throughput over Ecrecover throughput.
	b.Run("interleaved", func(b *testing.B) {
		e, err := p2p.DecodeEnvelope(data)
		if err != nil {
			b.Fatal(err)
		}
		h := e.SigningHash()
		var inValidate, inEcrecover time.Duration
		for b.Loop() {
			t0 := time.Now()
			if v.Validate(p2p.TopicJobs, data).Result != p2p.Accept {
				b.Fatal("not accepted")
			}
			t1 := time.Now()
			if _, err := ethcrypto.Ecrecover(h[:], e.Signature); err != nil {
				b.Fatal(err)
			}
			inEcrecover += time.Since(t1)
			inValidate += t1.Sub(t0)
		}
		b.ReportMetric(float64(inValidate)/float64(b.N), "validate-ns/op")
		b.ReportMetric(float64(inEcrecover)/float64(b.N), "ecrecover-ns/op")
		b.ReportMetric(float64(inEcrecover)/float64(inValidate), "ratio")
	})
}

// BenchmarkEcrecover is bare go-ethereum crypto.Ecrecover (cgo
// libsecp256k1) on the hash and signature of BenchmarkValidateEnvelope's
// envelope: the baseline validation is measured against.
func BenchmarkEcrecover(b *testing.B) {
	_, data := benchEnvelope(b)
	e, err := p2p.DecodeEnvelope(data)
	if err != nil {
		b.Fatal(err)
	}
	h := e.SigningHash()
	hash, sig := h[:], e.Signature
	b.Run("serial", func(b *testing.B) {
		measure(b, func() {
			for b.Loop() {
				if _, err := ethcrypto.Ecrecover(hash, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		measure(b, func() {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := ethcrypto.Ecrecover(hash, sig); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	})
}

// BenchmarkDecodeEnvelope: DecodeEnvelope's walk of the RLP list against
// rlp's reflective decoder into the same layout (its reference in
// FuzzDecodeEnvelope), on BenchmarkValidateEnvelope's envelope.
func BenchmarkDecodeEnvelope(b *testing.B) {
	_, data := benchEnvelope(b)
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			if _, err := p2p.DecodeEnvelope(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reflect", func(b *testing.B) {
		for b.Loop() {
			var w p2p.WireEnvelope
			if err := rlp.DecodeBytes(data, &w); err != nil {
				b.Fatal(err)
			}
		}
	})
}
