package p2p_test

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"validator/p2p"
)

// Shared fixtures of the p2p_test package.

const testNet = "testnet"

// testNow is the fixed clock of validation tests.
var testNow = time.UnixMilli(1_750_000_000_123)

// testKey is a fixed secp256k1 key derived from name.
func testKey(tb testing.TB, name string) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ethcrypto.ToECDSA(ethcrypto.Keccak256([]byte("test key " + name)))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return ethcrypto.PubkeyToAddress(k.PublicKey) }

func testMember(tb testing.TB, k *ecdsa.PrivateKey, coordinator bool) p2p.Member {
	tb.Helper()
	id, err := p2p.NewIdentity(k)
	if err != nil {
		tb.Fatal(err)
	}
	return p2p.Member{ID: id.NodeID, PeerID: id.PeerID, Coordinator: coordinator, PubKey: pubOf(k)}
}

// pubOf is k's public key as Member.PubKey holds it: 65 bytes uncompressed.
func pubOf(k *ecdsa.PrivateKey) []byte { return ethcrypto.FromECDSAPub(&k.PublicKey) }

func sealAt(tb testing.TB, k *ecdsa.PrivateKey, network, topic string, payload []byte, at time.Time) []byte {
	tb.Helper()
	b, err := p2p.Seal(k, network, topic, payload, at)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func signAt(tb testing.TB, k *ecdsa.PrivateKey, network, topic string, payload []byte, at time.Time) *p2p.Envelope {
	tb.Helper()
	e, err := p2p.SignEnvelope(k, network, topic, payload, at)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func encode(tb testing.TB, e *p2p.Envelope) []byte {
	tb.Helper()
	b, err := p2p.EncodeEnvelope(e)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// resign replaces e's signature with k's [r || s] signature of e's signing hash.
func resign(tb testing.TB, e *p2p.Envelope, k *ecdsa.PrivateKey) *p2p.Envelope {
	tb.Helper()
	e.Signature = recoverable(tb, e, k)[:64]
	return e
}

// recoverable is k's 65-byte recoverable [r || s || v] signature of e's
// signing hash: the first wave's envelope signature.
func recoverable(tb testing.TB, e *p2p.Envelope, k *ecdsa.PrivateKey) []byte {
	tb.Helper()
	h := e.SigningHash()
	sig, err := ethcrypto.Sign(h[:], k)
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

// malleate returns the high-s twin of a [r || s] signature, (r, N-s): the
// same signature to the math, which checks without the low-s rule accept.
func malleate(sig []byte) []byte {
	n := ethcrypto.S256().Params().N
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:64]))
	out := bytes.Clone(sig)
	s.FillBytes(out[32:64])
	return out
}

// specSigningHash derives the signing hash from the written spec, independently
// of the package: keccak256(domain || rlp([network, topic, sender, timestamp, payload])),
// with encoding appended to the list when the envelope is compressed.
func specSigningHash(tb testing.TB, e *p2p.Envelope) []byte {
	tb.Helper()
	items := []any{e.Network, e.Topic, e.Sender, e.Timestamp, e.Payload}
	if e.Encoding != 0 { // a compressed envelope signs its encoding too
		items = append(items, e.Encoding)
	}
	body, err := rlp.EncodeToBytes(items)
	if err != nil {
		tb.Fatal(err)
	}
	return ethcrypto.Keccak256([]byte("validator/envelope/v1"), body)
}

func TestEnvelopeRoundTrip(t *testing.T) {
	k := testKey(t, "alice")
	for _, tc := range []struct {
		name    string
		payload []byte
	}{
		{"nil", nil},
		{"one zero byte", []byte{0x00}},
		{"one byte 0x7f", []byte{0x7f}},
		{"one byte 0x80", []byte{0x80}},
		{"55 bytes", bytes.Repeat([]byte{1}, 55)},
		{"56 bytes", bytes.Repeat([]byte{2}, 56)},
		{"1000 bytes", bytes.Repeat([]byte{3}, 1000)},
		{"64 KiB", bytes.Repeat([]byte{4}, 64<<10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := sealAt(t, k, testNet, p2p.TopicJobs, tc.payload, testNow)
			e, err := p2p.DecodeEnvelope(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if e.Network != testNet || e.Topic != p2p.TopicJobs || e.Sender != addrOf(k) ||
				e.Timestamp != uint64(testNow.UnixMilli()) || !bytes.Equal(e.Payload, tc.payload) || len(e.Signature) != 64 {
				t.Fatalf("decoded %+v", e)
			}
			if !e.Time().Equal(testNow) {
				t.Fatalf("time %s, want %s", e.Time(), testNow)
			}
			if err := e.Verify(pubOf(k)); err != nil {
				t.Fatalf("verify: %v", err)
			}
			if again := encode(t, e); !bytes.Equal(again, b) {
				t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, b)
			}
		})
	}
}

func TestEncodingDeterministic(t *testing.T) {
	k := testKey(t, "alice")
	payload := []byte("the same message")
	a := sealAt(t, k, testNet, p2p.TopicStorage, payload, testNow)
	b := sealAt(t, k, testNet, p2p.TopicStorage, payload, testNow)
	if !bytes.Equal(a, b) {
		t.Fatalf("two seals of the same input differ:\n%x\n%x", a, b)
	}
	e, err := p2p.DecodeEnvelope(a)
	if err != nil {
		t.Fatal(err)
	}
	// The wire form is exactly the RLP list of the fields in spec order.
	spec, err := rlp.EncodeToBytes([]any{e.Network, e.Topic, e.Sender, e.Timestamp, e.Payload, e.Signature})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, spec) {
		t.Fatalf("wire form is not rlp([network, topic, sender, timestamp, payload, signature]):\n got %x\nwant %x", a, spec)
	}
	if c := sealAt(t, k, testNet, p2p.TopicStorage, payload, testNow.Add(time.Millisecond)); bytes.Equal(a, c) {
		t.Fatal("different timestamps encode the same")
	}
}

func TestSigningHashMatchesSpec(t *testing.T) {
	for _, e := range []*p2p.Envelope{
		{},
		{Network: testNet, Topic: p2p.TopicHeartbeats, Sender: common.HexToAddress("0x00000000000000000000000000000000000000ff"), Timestamp: 1},
		{Network: strings.Repeat("n", 32), Topic: strings.Repeat("t", 64), Sender: addrOf(testKey(t, "x")), Timestamp: 1<<64 - 1, Payload: bytes.Repeat([]byte{9}, 300)},
	} {
		got := e.SigningHash()
		if want := specSigningHash(t, e); !bytes.Equal(got[:], want) {
			t.Fatalf("signing hash of %+v: got %x, want %x", e, got, want)
		}
	}
	// The signature does not sign itself.
	e := signAt(t, testKey(t, "alice"), testNet, p2p.TopicJobs, []byte("x"), testNow)
	h := e.SigningHash()
	e.Signature[0] ^= 1
	if e.SigningHash() != h {
		t.Fatal("signing hash depends on the signature")
	}
}

func TestSignEnvelope(t *testing.T) {
	k := testKey(t, "alice")
	id, err := p2p.NewIdentity(k)
	if err != nil {
		t.Fatal(err)
	}
	halfN := new(big.Int).Rsh(ethcrypto.S256().Params().N, 1)
	// Many payloads, so roughly half the raw signatures would have had high s
	// without normalisation.
	for i := range 64 {
		e := signAt(t, id.Key, testNet, p2p.TopicSync, []byte{byte(i)}, testNow)
		if e.Sender != id.NodeID {
			t.Fatalf("sender %s, want node ID %s", e.Sender, id.NodeID)
		}
		if e.Timestamp != uint64(testNow.UnixMilli()) {
			t.Fatalf("timestamp %d, want %d", e.Timestamp, testNow.UnixMilli())
		}
		if len(e.Signature) != 64 {
			t.Fatalf("signature %x: want 64 bytes [r || s], no recovery byte", e.Signature)
		}
		if s := new(big.Int).SetBytes(e.Signature[32:64]); s.Cmp(halfN) > 0 {
			t.Fatalf("high s in %x", e.Signature)
		}
		h := specSigningHash(t, e)
		if !ethcrypto.VerifySignature(pubOf(k), h, e.Signature) {
			t.Fatalf("signature %x does not verify under the key of %s", e.Signature, id.NodeID)
		}
	}
}

func TestSignEnvelopeErrors(t *testing.T) {
	k := testKey(t, "alice")
	for _, tc := range []struct {
		name           string
		key            *ecdsa.PrivateKey
		network, topic string
		at             time.Time
	}{
		{"nil key", nil, testNet, p2p.TopicJobs, testNow},
		{"empty network", k, "", p2p.TopicJobs, testNow},
		{"empty topic", k, testNet, "", testNow},
		{"network too long", k, strings.Repeat("n", 33), p2p.TopicJobs, testNow},
		{"topic too long", k, testNet, strings.Repeat("t", 65), testNow},
		{"before 1970", k, testNet, p2p.TopicJobs, time.Unix(-1, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if e, err := p2p.SignEnvelope(tc.key, tc.network, tc.topic, nil, tc.at); err == nil {
				t.Fatalf("signed %+v", e)
			}
			if b, err := p2p.Seal(tc.key, tc.network, tc.topic, nil, tc.at); err == nil {
				t.Fatalf("sealed %x", b)
			}
		})
	}
	// The limits are inclusive.
	if _, err := p2p.SignEnvelope(k, strings.Repeat("n", 32), strings.Repeat("t", 64), nil, testNow); err != nil {
		t.Fatalf("network of 32 and topic of 64 bytes: %v", err)
	}
}

// envList is the wire list of a valid envelope with elements replaceable by
// raw RLP, for building malformed inputs.
func envList(tb testing.TB) []any {
	tb.Helper()
	e := signAt(tb, testKey(tb, "alice"), testNet, p2p.TopicJobs, []byte("payload"), testNow)
	return []any{e.Network, e.Topic, e.Sender, e.Timestamp, e.Payload, e.Signature}
}

func rlpOf(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func with(l []any, i int, v any) []any {
	out := append([]any(nil), l...)
	out[i] = v
	return out
}

// malformedEnvelopes are inputs DecodeEnvelope must refuse, keyed by what is wrong.
func malformedEnvelopes(tb testing.TB) map[string][]byte {
	tb.Helper()
	l := envList(tb)
	valid := rlpOf(tb, l)
	sig := l[5].([]byte)
	// valid starts with a long list header 0xf8 <len>; the same length with a
	// leading zero byte is non-canonical.
	if valid[0] != 0xf8 {
		tb.Fatalf("fixture header %x, want f8", valid[0])
	}
	longHeader := append([]byte{0xf9, 0x00}, valid[1:]...)
	return map[string][]byte{
		"empty":                     {},
		"garbage":                   []byte("hello, world"),
		"single byte":               {0x01},
		"empty list":                {0xc0},
		"string not list":           rlpOf(tb, []byte("not a list")),
		"trailing byte":             append(bytes.Clone(valid), 0x00),
		"two envelopes":             append(bytes.Clone(valid), valid...),
		"truncated by one":          valid[:len(valid)-1],
		"truncated to header":       valid[:2],
		"missing signature":         rlpOf(tb, l[:5]),
		"extra element":             rlpOf(tb, append(append([]any(nil), l...), []byte{1}, []byte{1})),
		"encoding 0 written out":    rlpOf(tb, append(append([]any(nil), l...), uint64(0))),
		"encoding 2 (unknown)":      rlpOf(tb, append(append([]any(nil), l...), uint64(2))),
		"encoding non-canonical":    rlpOf(tb, append(append([]any(nil), l...), rlp.RawValue{0x82, 0x00, 0x01})),
		"encoding is a list":        rlpOf(tb, append(append([]any(nil), l...), []uint64{1})),
		"signature is a list":       rlpOf(tb, with(l, 5, [][]byte{sig})),
		"network 33 bytes":          rlpOf(tb, with(l, 0, strings.Repeat("n", 33))),
		"topic 65 bytes":            rlpOf(tb, with(l, 1, strings.Repeat("t", 65))),
		"sender 19 bytes":           rlpOf(tb, with(l, 2, make([]byte, 19))),
		"sender 21 bytes":           rlpOf(tb, with(l, 2, make([]byte, 21))),
		"timestamp leading zero":    rlpOf(tb, with(l, 3, rlp.RawValue{0x82, 0x00, 0x01})),
		"timestamp 9 bytes":         rlpOf(tb, with(l, 3, rlp.RawValue{0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0})),
		"timestamp is a list":       rlpOf(tb, with(l, 3, []uint64{1})),
		"network is a list":         rlpOf(tb, with(l, 0, []string{testNet})),
		"payload non-canonical":     rlpOf(tb, with(l, 4, rlp.RawValue{0x81, 0x01})),
		"list header non-canonical": longHeader,
	}
}

func TestDecodeEnvelopeStrict(t *testing.T) {
	for name, b := range malformedEnvelopes(t) {
		t.Run(name, func(t *testing.T) {
			e, err := p2p.DecodeEnvelope(b)
			if err == nil {
				t.Fatalf("decoded %x as %+v", b, e)
			}
			if !errors.Is(err, p2p.ErrMalformedEnvelope) {
				t.Fatalf("error %v does not wrap ErrMalformedEnvelope", err)
			}
		})
	}
	// The control: the unmodified list decodes.
	if _, err := p2p.DecodeEnvelope(rlpOf(t, envList(t))); err != nil {
		t.Fatalf("valid envelope: %v", err)
	}
}

func TestEnvelopeVerify(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	fresh := func() *p2p.Envelope { return signAt(t, alice, testNet, p2p.TopicJobs, []byte("work"), testNow) }
	if err := fresh().Verify(pubOf(alice)); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if err := fresh().Verify(pubOf(bob)); !errors.Is(err, p2p.ErrBadSignature) {
		t.Fatalf("verified under another key: %v, want ErrBadSignature", err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(e *p2p.Envelope)
	}{
		{"payload changed", func(e *p2p.Envelope) { e.Payload = []byte("more work") }},
		{"network changed", func(e *p2p.Envelope) { e.Network = "othernet" }},
		{"topic changed", func(e *p2p.Envelope) { e.Topic = p2p.TopicSync }},
		{"timestamp changed", func(e *p2p.Envelope) { e.Timestamp++ }},
		{"sender changed", func(e *p2p.Envelope) { e.Sender = addrOf(bob) }},
		{"signed by another key", func(e *p2p.Envelope) { resign(t, e, bob) }},
		{"high s", func(e *p2p.Envelope) { e.Signature = malleate(e.Signature) }},
		{"65-byte recoverable form", func(e *p2p.Envelope) { e.Signature = recoverable(t, e, alice) }},
		{"recovery byte appended", func(e *p2p.Envelope) { e.Signature = append(e.Signature, 0) }},
		{"r = 0", func(e *p2p.Envelope) { clear(e.Signature[:32]) }},
		{"s = 0", func(e *p2p.Envelope) { clear(e.Signature[32:64]) }},
		{"short", func(e *p2p.Envelope) { e.Signature = e.Signature[:63] }},
		{"r = N", func(e *p2p.Envelope) { copy(e.Signature[:32], ethcrypto.S256().Params().N.Bytes()) }},
		{"nil", func(e *p2p.Envelope) { e.Signature = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := fresh()
			tc.mutate(e)
			if err := e.Verify(pubOf(alice)); !errors.Is(err, p2p.ErrBadSignature) {
				t.Fatalf("verify: %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestTopicName(t *testing.T) {
	if got, want := p2p.TopicName("devnet", p2p.TopicJobs), "/validator/devnet/jobs/1"; got != want {
		t.Fatalf("TopicName = %q, want %q", got, want)
	}
	want := []string{"heartbeats", "jobs", "storage", "scheduling", "sync", "attestations"}
	if strings.Join(p2p.StandardTopics, ",") != strings.Join(want, ",") {
		t.Fatalf("standard topics %v, want %v", p2p.StandardTopics, want)
	}
	for _, name := range p2p.StandardTopics {
		n, s, ok := p2p.ParseTopicName(p2p.TopicName("mainnet", name))
		if !ok || n != "mainnet" || s != name {
			t.Fatalf("parse of %q: %q %q %v", p2p.TopicName("mainnet", name), n, s, ok)
		}
	}
	for _, bad := range []string{
		"", "jobs", "/validator/devnet/jobs", "/validator/devnet/jobs/2", "/validator//jobs/1",
		"/validator/devnet//1", "/validator/devnet/a/b/1", "/other/devnet/jobs/1", "/validator/devnet/1",
	} {
		if n, s, ok := p2p.ParseTopicName(bad); ok {
			t.Errorf("parsed %q as %q %q", bad, n, s)
		}
	}
}

func TestMessageID(t *testing.T) {
	k := testKey(t, "alice")
	a := sealAt(t, k, testNet, p2p.TopicJobs, []byte("a"), testNow)
	b := sealAt(t, k, testNet, p2p.TopicJobs, []byte("b"), testNow)
	id := p2p.MessageID(a)
	if len(id) != 20 {
		t.Fatalf("ID length %d, want 20", len(id))
	}
	// The ID is on the wire (IHAVE, IWANT): pin it to BLAKE2b-256 by a value
	// computed elsewhere (Python's hashlib.blake2b(b"abc", digest_size=32)).
	if got, want := hex.EncodeToString([]byte(p2p.MessageID([]byte("abc")))), "bddd813c634239723171ef3fee98579b94964e3b"; got != want {
		t.Fatalf("MessageID(abc) = %s, want BLAKE2b-256 prefix %s", got, want)
	}
	if p2p.MessageID(bytes.Clone(a)) != id {
		t.Fatal("equal bytes, different IDs")
	}
	if p2p.MessageID(b) == id {
		t.Fatal("different envelopes, same ID")
	}
	// A replay under a malleated signature is different bytes, hence a new ID,
	// which is why validation must refuse high-s signatures.
	e, _ := p2p.DecodeEnvelope(a)
	e.Signature = malleate(e.Signature)
	if p2p.MessageID(encode(t, e)) == id {
		t.Fatal("malleated envelope has the same ID")
	}
}
