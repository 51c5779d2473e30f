package p2p_test

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/golang/snappy"

	"validator/p2p"
)

// FuzzValidate feeds arbitrary (topic, bytes) to DecodeEnvelope and
// Validator.Validate. Invariants: nothing panics; every verdict carries a
// listed reason with its fixed result; whatever decodes re-encodes to the same
// bytes (decoding is strict, so one envelope has one wire form and one
// message ID); and Accept only for an envelope whose bytes are canonical,
// whose fields match the configuration, and whose 64-byte low-s signature
// verifies under the registered key of its sender.
//
//	go test -fuzz=FuzzValidate ./p2p/
func FuzzValidate(f *testing.F) {
	fx := newFixture(f)
	// Small caps keep inputs, and so mutation and minimisation, cheap.
	val := newValidator(f, fx.members, p2p.ValidatorConfig{
		Network: testNet, MaxSize: map[string]int{p2p.TopicHeartbeats: 512}, DefaultMaxSize: 2048,
		Now: func() time.Time { return testNow },
	})
	alice, bob, carol, mallory := testKey(f, "alice"), testKey(f, "bob"), testKey(f, "carol"), testKey(f, "mallory")
	payload := bytes.Repeat([]byte{0x5a}, 256)

	add := func(topic string, b []byte) {
		f.Add(topic, b)
		// Truncations at a few depths, and one extra byte.
		for _, n := range []int{1, 2, 3, len(b) / 2, len(b) - 1} {
			if n > 0 && n < len(b) {
				f.Add(topic, b[:n])
			}
		}
		f.Add(topic, append(bytes.Clone(b), 0))
	}
	mutate := func(topic string, fn func(e *p2p.Envelope)) {
		e := signAt(f, alice, testNet, topic, payload, testNow)
		fn(e)
		add(topic, encode(f, e))
	}

	// Valid envelopes on every standard topic.
	for _, topic := range p2p.StandardTopics {
		k := alice
		if topic == p2p.TopicScheduling {
			k = carol
		}
		add(topic, sealAt(f, k, testNet, topic, payload[:64], testNow))
	}
	add(p2p.TopicJobs, sealAt(f, bob, testNet, p2p.TopicJobs, nil, testNow))
	// Each bad class.
	add(p2p.TopicHeartbeats, sealAt(f, alice, testNet, p2p.TopicHeartbeats, make([]byte, 512), testNow))
	add(p2p.TopicJobs, []byte("garbage"))
	add(p2p.TopicJobs, sealAt(f, alice, "othernet", p2p.TopicJobs, payload, testNow))
	add(p2p.TopicStorage, sealAt(f, alice, testNet, p2p.TopicJobs, payload, testNow))
	add(p2p.TopicJobs, sealAt(f, alice, testNet, p2p.TopicJobs, payload, testNow.Add(-time.Hour)))
	add(p2p.TopicJobs, sealAt(f, alice, testNet, p2p.TopicJobs, payload, testNow.Add(time.Hour)))
	add(p2p.TopicJobs, sealAt(f, mallory, testNet, p2p.TopicJobs, payload, testNow))
	add(p2p.TopicScheduling, sealAt(f, alice, testNet, p2p.TopicScheduling, payload, testNow))
	mutate(p2p.TopicJobs, func(e *p2p.Envelope) { e.Signature[3] ^= 1 })
	mutate(p2p.TopicJobs, func(e *p2p.Envelope) { resign(f, e, bob) })
	mutate(p2p.TopicJobs, func(e *p2p.Envelope) { e.Signature = malleate(e.Signature) })
	mutate(p2p.TopicJobs, func(e *p2p.Envelope) { e.Signature = recoverable(f, e, alice) })
	mutate(p2p.TopicJobs, func(e *p2p.Envelope) { e.Signature = e.Signature[:63] })
	for _, b := range malformedEnvelopes(f) {
		f.Add(p2p.TopicJobs, b)
	}
	// Compressed payloads: valid (JSON, zeros at and over the cap), a bomb,
	// a block cut short, one that opens with a copy, a header that does not
	// end, and the encoding dropped.
	json := jsonPayload(1500)
	compressed := func(k *ecdsa.PrivateKey, wire []byte) {
		e := &p2p.Envelope{Network: testNet, Topic: p2p.TopicJobs, Sender: addrOf(k), Timestamp: uint64(testNow.UnixMilli()), Payload: wire, Encoding: p2p.EncodingSnappy}
		add(p2p.TopicJobs, encode(f, resign(f, e, k)))
	}
	for _, p := range [][]byte{json, make([]byte, 2048), make([]byte, 2049), nil, []byte("x")} {
		compressed(alice, snappy.Encode(nil, p))
	}
	compressed(alice, []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x'})
	compressed(mallory, []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x'})
	compressed(alice, []byte{0x0a, 0x00, 'x', 0x00, 'y', 0x00, 'z'})
	compressed(alice, []byte{0x08, 0x01 | 4<<2, 0x05})
	compressed(alice, []byte{0x80, 0x80})
	mutate(p2p.TopicJobs, func(e *p2p.Envelope) {
		e.Payload, e.Encoding = snappy.Encode(nil, json), p2p.EncodingRaw
	})

	halfN := new(big.Int).Rsh(ethcrypto.S256().Params().N, 1)
	f.Fuzz(func(t *testing.T, topic string, data []byte) {
		dec, decErr := p2p.DecodeEnvelope(data)
		if decErr == nil {
			again, err := p2p.EncodeEnvelope(dec)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			if !bytes.Equal(again, data) {
				t.Fatalf("decoding is not strict: %x re-encodes as %x", data, again)
			}
		}

		v := val.Validate(topic, data)
		if !slices.Contains(p2p.ValidationReasons, v.Reason) {
			t.Fatalf("unlisted reason %q", v.Reason)
		}
		if wantResult[v.Reason] != v.Result {
			t.Fatalf("reason %q with result %s", v.Reason, v.Result)
		}
		if len(data) <= val.MaxSize(topic) && (decErr != nil) != (v.Reason == p2p.ReasonUndecodable) {
			t.Fatalf("decode error %v but reason %q", decErr, v.Reason)
		}
		if v.Result != p2p.Accept {
			return
		}

		e := v.Envelope
		if e == nil || decErr != nil {
			t.Fatalf("accepted without an envelope (decode error %v)", decErr)
		}
		again, err := p2p.EncodeEnvelope(e)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted %x, which re-encodes as %x (%v)", data, again, err)
		}
		if len(data) > val.MaxSize(topic) || e.Network != testNet || e.Topic != topic {
			t.Fatalf("accepted %d bytes of %q/%q on %q", len(data), e.Network, e.Topic, topic)
		}
		if d := int64(e.Timestamp) - testNow.UnixMilli(); d < -p2p.DefaultMaxAge.Milliseconds() || d > p2p.DefaultMaxSkew.Milliseconds() {
			t.Fatalf("accepted timestamp %+d ms from now", d)
		}
		m, ok := fx.members.ByID(e.Sender)
		if !ok || m.ID != v.Sender.ID || v.Sender.ID != e.Sender {
			t.Fatalf("accepted sender %s (registered %v), verdict sender %s", e.Sender, ok, v.Sender.ID)
		}
		if topic == p2p.TopicScheduling && !m.Coordinator {
			t.Fatalf("accepted non-coordinator %s on scheduling", e.Sender)
		}
		// The delivered payload is the envelope's, decompressed when
		// compressed, and within the cap.
		want := e.Payload
		if e.Encoding == p2p.EncodingSnappy {
			if want, err = snappy.Decode(nil, e.Payload); err != nil {
				t.Fatalf("accepted a compressed payload snappy refuses: %v", err)
			}
		} else if e.Encoding != p2p.EncodingRaw {
			t.Fatalf("accepted encoding %d", e.Encoding)
		}
		if !bytes.Equal(v.Payload, want) || len(v.Payload) > val.MaxSize(topic) {
			t.Fatalf("delivered %d bytes, want %d (cap %d)", len(v.Payload), len(want), val.MaxSize(topic))
		}
		if len(e.Signature) != 64 || new(big.Int).SetBytes(e.Signature[32:64]).Cmp(halfN) > 0 {
			t.Fatalf("accepted non-canonical signature %x", e.Signature)
		}
		// Independently of the registered key Validate used: some recovery
		// byte recovers the sender.
		h := specSigningHash(t, e)
		recovered := false
		for rv := range byte(2) {
			if signer, err := ecrecover(h, append(bytes.Clone(e.Signature), rv)); err == nil && signer == e.Sender {
				recovered = true
			}
		}
		if !recovered {
			t.Fatalf("accepted signature %x is not by sender %s", e.Signature, e.Sender)
		}
	})
}

// FuzzDecodeEnvelope: DecodeEnvelope accepts exactly what rlp.DecodeBytes
// into the layout EncodeEnvelope writes accepts (within the field limits; the
// signature's length is Verify's business), with the same fields.
//
//	go test -fuzz=FuzzDecodeEnvelope ./p2p/
func FuzzDecodeEnvelope(f *testing.F) {
	alice := testKey(f, "alice")
	for _, p := range [][]byte{nil, {0}, {0x7f}, {0x80}, bytes.Repeat([]byte{1}, 60)} {
		b := sealAt(f, alice, testNet, p2p.TopicJobs, p, testNow)
		f.Add(b)
		f.Add(b[:len(b)-1])
		f.Add(append(bytes.Clone(b), 0x80))
	}
	for _, p := range [][]byte{nil, jsonPayload(300)} {
		e := signAt(f, alice, testNet, p2p.TopicJobs, nil, testNow)
		e.Payload, e.Encoding = snappy.Encode(nil, p), p2p.EncodingSnappy
		b := encode(f, e)
		f.Add(b)
		f.Add(append(b[:len(b)-1], 0x80)) // encoding 0 written out
		f.Add(append(b[:len(b)-1], 0x02)) // unknown encoding
	}
	for _, s := range []string{"c0", "c6808080808080", "c7808080808080c0", "c78080808080808001", "f8", "c180", "c2c0c0"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := p2p.DecodeEnvelope(b)
		var w p2p.WireEnvelope
		werr := rlp.DecodeBytes(b, &w)
		if werr == nil && (len(w.Network) > p2p.MaxNetworkLen || len(w.Topic) > p2p.MaxTopicLen) {
			werr = errors.New("field limits")
		}
		if werr == nil && w.Encoding != p2p.EncodingRaw && w.Encoding != p2p.EncodingSnappy {
			werr = errors.New("unknown encoding")
		}
		if werr == nil {
			// The reflective decoder takes an explicit encoding 0; the wire
			// form omits it, so only the canonical form round-trips.
			if again, err := rlp.EncodeToBytes(&w); err != nil || !bytes.Equal(again, b) {
				werr = errors.New("encoding 0 written out")
			}
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("DecodeEnvelope error %v, reflective decoder error %v, input %x", err, werr, b)
		}
		if err != nil {
			if !errors.Is(err, p2p.ErrMalformedEnvelope) {
				t.Fatalf("error %v does not wrap ErrMalformedEnvelope", err)
			}
			return
		}
		if got.Network != w.Network || got.Topic != w.Topic || got.Sender != w.Sender || got.Timestamp != w.Timestamp ||
			!bytes.Equal(got.Payload, w.Payload) || !bytes.Equal(got.Signature, w.Signature) || got.Encoding != w.Encoding {
			t.Fatalf("decoded %+v, reflective decoder %+v", got, w)
		}
		// Nothing aliases the input, which pubsub keeps and forwards.
		if len(got.Payload) > 0 {
			got.Payload[0] ^= 0xff
		}
		if len(got.Signature) > 0 {
			got.Signature[0] ^= 0xff
		}
		var again p2p.WireEnvelope
		if rlp.DecodeBytes(b, &again) != nil || !bytes.Equal(again.Payload, w.Payload) || !bytes.Equal(again.Signature, w.Signature) {
			t.Fatal("the decoded envelope shares memory with the input")
		}
	})
}

// FuzzContent feeds arbitrary snappy blocks and caps to Envelope.Content.
// Invariants: nothing panics; a block snappy decodes within the cap is
// decoded to the same bytes (the 22x header bound never refuses a valid
// block); one it refuses, or over the cap, is refused with
// ErrBadCompression or ErrTooLargeDecompressed; nothing longer than the cap
// is returned. Seeds include blocks of compressible data near the bound;
// testdata/fuzz/FuzzContent holds the bomb that once made the reference
// decoder, not Content, allocate 4 GiB.
//
//	go test -fuzz=FuzzContent ./p2p/
func FuzzContent(f *testing.F) {
	for _, p := range [][]byte{nil, {0}, make([]byte, 64), make([]byte, 4096), bytes.Repeat([]byte("ab"), 3000), jsonPayload(1024)} {
		f.Add(snappy.Encode(nil, p), uint32(len(p)))
		f.Add(snappy.Encode(nil, p), uint32(len(p)/2))
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x'}, uint32(1<<31))
	f.Add([]byte{0x0a, 0x00, 'x', 0x00, 'y', 0x00, 'z'}, uint32(64))
	f.Add([]byte{0x08, 0x01 | 4<<2, 0x05}, uint32(64))
	f.Fuzz(func(t *testing.T, block []byte, maxLen uint32) {
		maxLen %= 1 << 20 // bound what a valid block may make the fuzzer allocate
		e := &p2p.Envelope{Payload: block, Encoding: p2p.EncodingSnappy}
		got, err := e.Content(int(maxLen))
		// The reference decoder allocates whatever the header claims:
		// consult it only for claims a valid block could make under the cap.
		var want []byte
		werr := errors.New("header claims more than the cap allows")
		if n, err := snappy.DecodedLen(block); err == nil && n <= 1<<20 {
			want, werr = snappy.Decode(nil, block)
		}
		switch {
		case err == nil && (werr != nil || !bytes.Equal(got, want)):
			t.Fatalf("Content gives %d bytes, snappy %d (%v)", len(got), len(want), werr)
		case err == nil && len(got) > int(maxLen):
			t.Fatalf("%d bytes over the cap %d", len(got), maxLen)
		case err != nil && !errors.Is(err, p2p.ErrBadCompression) && !errors.Is(err, p2p.ErrTooLargeDecompressed):
			t.Fatalf("error %v wraps neither sentinel", err)
		case err != nil && werr == nil && len(want) <= int(maxLen):
			t.Fatalf("refused a valid block of %d bytes (from %d) under cap %d: %v", len(want), len(block), maxLen, err)
		}
	})
}
