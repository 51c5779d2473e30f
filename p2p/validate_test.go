package p2p_test

import (
	"bytes"
	"crypto/ecdsa"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"

	"validator/p2p"
)

// ecrecover is bare go-ethereum recovery to an address, with no other checks.
func ecrecover(hash, sig []byte) (common.Address, error) {
	pub, err := ethcrypto.Ecrecover(hash, sig)
	if err != nil {
		return common.Address{}, err
	}
	return common.BytesToAddress(ethcrypto.Keccak256(pub[1:])[12:]), nil
}

// wantResult is the fixed result of each reason; a verdict must agree with it.
var wantResult = map[string]p2p.Result{
	p2p.ReasonOK:             p2p.Accept,
	p2p.ReasonOversized:      p2p.Ignore,
	p2p.ReasonUndecodable:    p2p.Reject,
	p2p.ReasonWrongNetwork:   p2p.Reject,
	p2p.ReasonWrongTopic:     p2p.Reject,
	p2p.ReasonStale:          p2p.Ignore,
	p2p.ReasonFuture:         p2p.Ignore,
	p2p.ReasonUnknownSender:  p2p.Ignore,
	p2p.ReasonNotCoordinator: p2p.Ignore,
	p2p.ReasonBadSignature:   p2p.Reject,

	p2p.ReasonBadCompression:       p2p.Reject,
	p2p.ReasonTooLargeDecompressed: p2p.Ignore,
}

// fixture is a membership of alice and bob (validators) and carol
// (coordinator); mallory holds a key but is not registered.
type fixture struct {
	alice, bob, carol, mallory p2p.Member
	members                    *p2p.StaticMembership
	v                          *p2p.Validator
}

func newValidator(tb testing.TB, members p2p.Membership, cfg p2p.ValidatorConfig) *p2p.Validator {
	tb.Helper()
	v, err := p2p.NewValidator(members, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	f := &fixture{
		alice:   testMember(tb, testKey(tb, "alice"), false),
		bob:     testMember(tb, testKey(tb, "bob"), false),
		carol:   testMember(tb, testKey(tb, "carol"), true),
		mallory: testMember(tb, testKey(tb, "mallory"), false),
	}
	f.members = p2p.NewStaticMembership(f.alice, f.bob, f.carol)
	f.v = newValidator(tb, f.members, p2p.ValidatorConfig{Network: testNet, Now: func() time.Time { return testNow }})
	return f
}

func checkVerdict(t *testing.T, got p2p.Verdict, result p2p.Result, reason string) {
	t.Helper()
	if got.Result != result || got.Reason != reason {
		t.Fatalf("verdict %s/%s, want %s/%s", got.Result, got.Reason, result, reason)
	}
	if !slices.Contains(p2p.ValidationReasons, got.Reason) {
		t.Fatalf("reason %q is not in ValidationReasons", got.Reason)
	}
	if wantResult[got.Reason] != got.Result {
		t.Fatalf("reason %q came with %s, want %s", got.Reason, got.Result, wantResult[got.Reason])
	}
	if got.Result != p2p.Accept && !reflect.DeepEqual(got.Sender, p2p.Member{}) {
		t.Fatalf("refused verdict names sender %+v", got.Sender)
	}
}

func TestValidate(t *testing.T) {
	alice, bob, carol, mallory := testKey(t, "alice"), testKey(t, "bob"), testKey(t, "carol"), testKey(t, "mallory")
	f := newFixture(t)
	maxAge, skew := p2p.DefaultMaxAge, p2p.DefaultMaxSkew
	payload := bytes.Repeat([]byte{0xab}, 256)
	seal := func(key, network, topic string, p []byte, at time.Time) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return sealAt(t, testKey(t, key), network, topic, p, at) }
	}
	// mutated signs a valid jobs envelope by alice, applies mutate, and encodes.
	mutated := func(mutate func(t *testing.T, e *p2p.Envelope)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			e := signAt(t, alice, testNet, p2p.TopicJobs, payload, testNow)
			mutate(t, e)
			return encode(t, e)
		}
	}
	valid := seal("alice", testNet, p2p.TopicJobs, payload, testNow)

	for _, tc := range []struct {
		name   string
		topic  string
		data   func(t *testing.T) []byte
		result p2p.Result
		reason string
		sender p2p.Member // on Accept
	}{
		// Accepted.
		{"heartbeat", p2p.TopicHeartbeats, seal("alice", testNet, p2p.TopicHeartbeats, []byte("addrs"), testNow), p2p.Accept, p2p.ReasonOK, f.alice},
		{"jobs 256 B", p2p.TopicJobs, valid, p2p.Accept, p2p.ReasonOK, f.alice},
		{"empty payload", p2p.TopicSync, seal("bob", testNet, p2p.TopicSync, nil, testNow), p2p.Accept, p2p.ReasonOK, f.bob},
		{"storage 60 KiB", p2p.TopicStorage, seal("bob", testNet, p2p.TopicStorage, make([]byte, 60<<10), testNow), p2p.Accept, p2p.ReasonOK, f.bob},
		{"coordinator on scheduling", p2p.TopicScheduling, seal("carol", testNet, p2p.TopicScheduling, payload, testNow), p2p.Accept, p2p.ReasonOK, f.carol},
		{"oldest allowed", p2p.TopicJobs, seal("alice", testNet, p2p.TopicJobs, payload, testNow.Add(-maxAge)), p2p.Accept, p2p.ReasonOK, f.alice},
		{"newest allowed", p2p.TopicJobs, seal("alice", testNet, p2p.TopicJobs, payload, testNow.Add(skew)), p2p.Accept, p2p.ReasonOK, f.alice},
		{"application topic", "myapp", seal("alice", testNet, "myapp", payload, testNow), p2p.Accept, p2p.ReasonOK, f.alice},

		// Size, checked before anything else.
		{"oversized heartbeat", p2p.TopicHeartbeats, seal("alice", testNet, p2p.TopicHeartbeats, make([]byte, 4<<10), testNow), p2p.Ignore, p2p.ReasonOversized, p2p.Member{}},
		{"oversized jobs", p2p.TopicJobs, seal("alice", testNet, p2p.TopicJobs, make([]byte, 64<<10), testNow), p2p.Ignore, p2p.ReasonOversized, p2p.Member{}},
		{"oversized garbage", p2p.TopicHeartbeats, func(*testing.T) []byte { return make([]byte, 5000) }, p2p.Ignore, p2p.ReasonOversized, p2p.Member{}},

		// Decoding.
		{"empty", p2p.TopicJobs, func(*testing.T) []byte { return nil }, p2p.Reject, p2p.ReasonUndecodable, p2p.Member{}},
		{"garbage", p2p.TopicJobs, func(*testing.T) []byte { return []byte("GET / HTTP/1.1\r\n") }, p2p.Reject, p2p.ReasonUndecodable, p2p.Member{}},
		{"trailing bytes", p2p.TopicJobs, func(t *testing.T) []byte { return append(valid(t), 0x80) }, p2p.Reject, p2p.ReasonUndecodable, p2p.Member{}},
		{"truncated", p2p.TopicJobs, func(t *testing.T) []byte { b := valid(t); return b[:len(b)-10] }, p2p.Reject, p2p.ReasonUndecodable, p2p.Member{}},

		// Network and topic.
		{"wrong network", p2p.TopicJobs, seal("alice", "othernet", p2p.TopicJobs, payload, testNow), p2p.Reject, p2p.ReasonWrongNetwork, p2p.Member{}},
		{"wrong topic", p2p.TopicStorage, valid, p2p.Reject, p2p.ReasonWrongTopic, p2p.Member{}},
		{"full topic name in envelope", p2p.TopicJobs, seal("alice", testNet, p2p.TopicName(testNet, p2p.TopicJobs), payload, testNow), p2p.Reject, p2p.ReasonWrongTopic, p2p.Member{}},

		// Timestamp window.
		{"stale", p2p.TopicJobs, seal("alice", testNet, p2p.TopicJobs, payload, testNow.Add(-maxAge-time.Millisecond)), p2p.Ignore, p2p.ReasonStale, p2p.Member{}},
		{"ancient", p2p.TopicJobs, seal("alice", testNet, p2p.TopicJobs, payload, time.UnixMilli(0)), p2p.Ignore, p2p.ReasonStale, p2p.Member{}},
		{"future", p2p.TopicJobs, seal("alice", testNet, p2p.TopicJobs, payload, testNow.Add(skew+time.Millisecond)), p2p.Ignore, p2p.ReasonFuture, p2p.Member{}},
		{"far future", p2p.TopicJobs, mutated(func(t *testing.T, e *p2p.Envelope) { e.Timestamp = 1<<64 - 1; resign(t, e, alice) }), p2p.Ignore, p2p.ReasonFuture, p2p.Member{}},

		// Sender and role.
		{"unregistered sender", p2p.TopicJobs, seal("mallory", testNet, p2p.TopicJobs, payload, testNow), p2p.Ignore, p2p.ReasonUnknownSender, p2p.Member{}},
		{"non-coordinator on scheduling", p2p.TopicScheduling, seal("alice", testNet, p2p.TopicScheduling, payload, testNow), p2p.Ignore, p2p.ReasonNotCoordinator, p2p.Member{}},

		// Signature.
		{"r byte flipped", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Signature[7] ^= 0x40 }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"s byte flipped", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Signature[40] ^= 0x01 }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"65-byte recoverable form", p2p.TopicJobs, mutated(func(t *testing.T, e *p2p.Envelope) { e.Signature = recoverable(t, e, alice) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"signature 63 bytes", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Signature = e.Signature[:63] }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"signature empty", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Signature = nil }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"r = 0", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { clear(e.Signature[:32]) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"s = 0", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { clear(e.Signature[32:64]) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"all-ones signature", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Signature = bytes.Repeat([]byte{0xff}, 64) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"signed by another member", p2p.TopicJobs, mutated(func(t *testing.T, e *p2p.Envelope) { resign(t, e, bob) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"non-member claims member", p2p.TopicJobs, mutated(func(t *testing.T, e *p2p.Envelope) { resign(t, e, mallory) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"coordinator signs as validator", p2p.TopicScheduling, func(t *testing.T) []byte {
			e := signAt(t, alice, testNet, p2p.TopicScheduling, payload, testNow)
			e.Sender = f.carol.ID
			return encode(t, resign(t, e, alice))
		}, p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"high s (malleated)", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Signature = malleate(e.Signature) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"payload changed", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Payload = append(e.Payload, 0) }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},
		{"timestamp changed", p2p.TopicJobs, mutated(func(_ *testing.T, e *p2p.Envelope) { e.Timestamp -= 1000 }), p2p.Reject, p2p.ReasonBadSignature, p2p.Member{}},

		// Order: the cheaper check decides.
		{"oversized beats undecodable", p2p.TopicHeartbeats, func(t *testing.T) []byte { return append(valid(t), make([]byte, 4<<10)...) }, p2p.Ignore, p2p.ReasonOversized, p2p.Member{}},
		{"wrong network beats wrong topic and stale", p2p.TopicStorage, seal("alice", "othernet", p2p.TopicJobs, payload, testNow.Add(-time.Hour)), p2p.Reject, p2p.ReasonWrongNetwork, p2p.Member{}},
		{"wrong topic beats stale", p2p.TopicStorage, seal("alice", testNet, p2p.TopicJobs, payload, testNow.Add(-time.Hour)), p2p.Reject, p2p.ReasonWrongTopic, p2p.Member{}},
		{"stale beats unknown sender", p2p.TopicJobs, seal("mallory", testNet, p2p.TopicJobs, payload, testNow.Add(-time.Hour)), p2p.Ignore, p2p.ReasonStale, p2p.Member{}},
		{"unknown sender beats bad signature", p2p.TopicJobs, func(t *testing.T) []byte {
			e := signAt(t, mallory, testNet, p2p.TopicJobs, payload, testNow)
			e.Signature[7] ^= 0x40
			return encode(t, e)
		}, p2p.Ignore, p2p.ReasonUnknownSender, p2p.Member{}},
		{"not coordinator beats bad signature", p2p.TopicScheduling, func(t *testing.T) []byte {
			e := signAt(t, bob, testNet, p2p.TopicScheduling, payload, testNow)
			return encode(t, resign(t, e, carol))
		}, p2p.Ignore, p2p.ReasonNotCoordinator, p2p.Member{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data(t)
			got := f.v.Validate(tc.topic, data)
			checkVerdict(t, got, tc.result, tc.reason)
			if tc.result != p2p.Accept {
				return
			}
			if !reflect.DeepEqual(got.Sender, tc.sender) {
				t.Fatalf("sender %+v, want %+v", got.Sender, tc.sender)
			}
			e, err := p2p.DecodeEnvelope(data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Envelope == nil || got.Envelope.Sender != tc.sender.ID || got.Envelope.Topic != tc.topic ||
				!bytes.Equal(got.Envelope.Payload, e.Payload) || got.Envelope.Timestamp != e.Timestamp {
				t.Fatalf("envelope %+v, want %+v", got.Envelope, e)
			}
		})
	}
}

// The high-s twin is a valid signature by the same key as far as bare
// recovery goes (with one of the two recovery bytes); only the low-s rule
// refuses it. This keeps the "high s" cases honest.
func TestMalleatedSignatureRecoversSameKey(t *testing.T) {
	alice := testKey(t, "alice")
	e := signAt(t, alice, testNet, p2p.TopicJobs, []byte("x"), testNow)
	twin := malleate(e.Signature)
	if bytes.Equal(twin, e.Signature) {
		t.Fatal("malleate changed nothing")
	}
	h := e.SigningHash()
	recovered := false
	for v := range byte(2) {
		if pub, err := ecrecover(h[:], append(bytes.Clone(twin), v)); err == nil && pub == addrOf(alice) {
			recovered = true
		}
	}
	if !recovered {
		t.Fatal("the high-s twin recovers alice under neither recovery byte")
	}
}

// The old 65-byte recoverable signature and the high-s twin of a valid
// signature are both rejected as bad_signature: a recovery byte is
// unauthenticated under verify, and either would make a second valid encoding
// of the message with a new message ID.
func TestValidateRejectsRecoverableAndHighS(t *testing.T) {
	f := newFixture(t)
	alice := testKey(t, "alice")
	e := signAt(t, alice, testNet, p2p.TopicJobs, []byte("twin"), testNow)
	checkVerdict(t, f.v.Validate(p2p.TopicJobs, encode(t, e)), p2p.Accept, p2p.ReasonOK) // the control
	for name, sig := range map[string][]byte{
		"65-byte recoverable":      recoverable(t, e, alice),
		"64 bytes + recovery byte": append(bytes.Clone(e.Signature), 0),
		"high-s twin":              malleate(e.Signature),
	} {
		t.Run(name, func(t *testing.T) {
			twin := *e
			twin.Signature = sig
			data := encode(t, &twin)
			if p2p.MessageID(data) == p2p.MessageID(encode(t, e)) {
				t.Fatal("twin has the original's message ID")
			}
			checkVerdict(t, f.v.Validate(p2p.TopicJobs, data), p2p.Reject, p2p.ReasonBadSignature)
		})
	}
}

// Validation uses the key the membership prepared when the member was put;
// it never parses a key per message. Fails if the validator derives the key
// from the sender (MemberKey, or any other parse that counts) per message.
func TestValidateParsesNoKeyPerMessage(t *testing.T) {
	keys := []*ecdsa.PrivateKey{testKey(t, "alice"), testKey(t, "bob"), testKey(t, "carol")}
	before := p2p.KeyParses()
	members := p2p.NewStaticMembership()
	for _, k := range keys {
		m := testMember(t, k, false)
		m.PubKey = nil // as a registry-less membership gets it: Put derives it from the peer ID
		members.Put(m)
	}
	if got := p2p.KeyParses() - before; got != uint64(len(keys)) {
		t.Fatalf("%d key parses putting %d members, want one each", got, len(keys))
	}
	v := newValidator(t, members, p2p.ValidatorConfig{Network: testNet, Now: func() time.Time { return testNow }})
	const perKey = 100
	msgs := make([][]byte, 0, perKey*len(keys))
	for i := range perKey {
		for _, k := range keys {
			msgs = append(msgs, sealAt(t, k, testNet, p2p.TopicJobs, []byte{byte(i)}, testNow))
		}
	}
	before = p2p.KeyParses()
	for _, b := range msgs {
		checkVerdict(t, v.Validate(p2p.TopicJobs, b), p2p.Accept, p2p.ReasonOK)
	}
	if got := p2p.KeyParses() - before; got != 0 {
		t.Fatalf("%d key parses validating %d messages, want 0", got, len(msgs))
	}
}

// A member whose registered key is missing or is not the sender's cannot
// authenticate anything: missing is ignored (our view's gap), a wrong key
// fails verification.
func TestValidateUsesRegisteredKey(t *testing.T) {
	alice, bob := testKey(t, "alice"), testKey(t, "bob")
	data := sealAt(t, alice, testNet, p2p.TopicJobs, []byte("k"), testNow)
	for _, tc := range []struct {
		name   string
		pub    []byte
		result p2p.Result
		reason string
	}{
		{"registered key", pubOf(alice), p2p.Accept, p2p.ReasonOK},
		{"compressed registered key", ethcrypto.CompressPubkey(&alice.PublicKey), p2p.Accept, p2p.ReasonOK},
		{"another key", pubOf(bob), p2p.Reject, p2p.ReasonBadSignature},
		{"no key", nil, p2p.Ignore, p2p.ReasonUnknownSender},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMember(t, alice, false)
			m.PubKey = tc.pub
			static := p2p.NewStaticMembership(m)
			var members p2p.Membership = static
			if tc.pub == nil {
				// Put derives a missing key; take it away again.
				got, _ := static.ByID(m.ID)
				if !bytes.Equal(got.PubKey, pubOf(alice)) {
					t.Fatalf("put derived key %x, want %x", got.PubKey, pubOf(alice))
				}
				members = &keylessMembership{static}
			}
			v := newValidator(t, members, p2p.ValidatorConfig{Network: testNet, Now: func() time.Time { return testNow }})
			checkVerdict(t, v.Validate(p2p.TopicJobs, data), tc.result, tc.reason)
		})
	}
}

// keylessMembership hides members' keys.
type keylessMembership struct{ *p2p.StaticMembership }

func (k *keylessMembership) ByID(id common.Address) (p2p.Member, bool) {
	m, ok := k.StaticMembership.ByID(id)
	m.PubKey = nil
	return m, ok
}

func TestValidateFollowsMembership(t *testing.T) {
	f := newFixture(t)
	alice := testKey(t, "alice")
	jobs := sealAt(t, alice, testNet, p2p.TopicJobs, []byte("j"), testNow)
	sched := sealAt(t, alice, testNet, p2p.TopicScheduling, []byte("s"), testNow)

	checkVerdict(t, f.v.Validate(p2p.TopicJobs, jobs), p2p.Accept, p2p.ReasonOK)
	checkVerdict(t, f.v.Validate(p2p.TopicScheduling, sched), p2p.Ignore, p2p.ReasonNotCoordinator)

	f.members.Remove(f.alice.ID) // exit
	checkVerdict(t, f.v.Validate(p2p.TopicJobs, jobs), p2p.Ignore, p2p.ReasonUnknownSender)

	promoted := f.alice
	promoted.Coordinator = true
	f.members.Put(promoted) // back, with the coordinator role
	got := f.v.Validate(p2p.TopicScheduling, sched)
	checkVerdict(t, got, p2p.Accept, p2p.ReasonOK)
	if !got.Sender.Coordinator {
		t.Fatalf("sender %+v: want the current member record", got.Sender)
	}
}

func TestValidateSizeCapIsInclusive(t *testing.T) {
	f := newFixture(t)
	b := sealAt(t, testKey(t, "alice"), testNet, p2p.TopicJobs, []byte("sized"), testNow)
	for _, tc := range []struct {
		max    int
		result p2p.Result
		reason string
	}{
		{len(b), p2p.Accept, p2p.ReasonOK},
		{len(b) - 1, p2p.Ignore, p2p.ReasonOversized},
	} {
		v := newValidator(t, f.members, p2p.ValidatorConfig{
			Network: testNet, MaxSize: map[string]int{p2p.TopicJobs: tc.max}, Now: func() time.Time { return testNow },
		})
		checkVerdict(t, v.Validate(p2p.TopicJobs, b), tc.result, tc.reason)
	}
	// DefaultMaxSize governs topics without their own cap.
	v := newValidator(t, f.members, p2p.ValidatorConfig{Network: testNet, DefaultMaxSize: len(b) - 1, Now: func() time.Time { return testNow }})
	checkVerdict(t, v.Validate(p2p.TopicJobs, b), p2p.Ignore, p2p.ReasonOversized)
}

func TestValidatorConfigDefaults(t *testing.T) {
	f := newFixture(t)
	if got := f.v.MaxSize(p2p.TopicHeartbeats); got != 4<<10 {
		t.Errorf("heartbeat cap %d, want 4096", got)
	}
	for _, topic := range []string{p2p.TopicJobs, p2p.TopicStorage, p2p.TopicScheduling, p2p.TopicSync, "myapp"} {
		if got := f.v.MaxSize(topic); got != 64<<10 {
			t.Errorf("%s cap %d, want 65536", topic, got)
		}
	}

	// Caller maps are laid over the defaults, and copied.
	sizes := map[string]int{p2p.TopicJobs: 1000}
	roles := map[string]bool{p2p.TopicScheduling: false}
	v := newValidator(t, f.members, p2p.ValidatorConfig{
		Network: testNet, MaxSize: sizes, CoordinatorOnly: roles, Now: func() time.Time { return testNow },
	})
	sizes[p2p.TopicJobs] = 1
	roles[p2p.TopicScheduling] = true
	if got := v.MaxSize(p2p.TopicJobs); got != 1000 {
		t.Errorf("jobs cap %d, want 1000 (the caller's, as it was at construction)", got)
	}
	if got := v.MaxSize(p2p.TopicHeartbeats); got != 4<<10 {
		t.Errorf("heartbeat cap %d, want the default 4096 kept", got)
	}
	sched := sealAt(t, testKey(t, "alice"), testNet, p2p.TopicScheduling, nil, testNow)
	checkVerdict(t, v.Validate(p2p.TopicScheduling, sched), p2p.Accept, p2p.ReasonOK)

	// Other topics can be made coordinator-only.
	v = newValidator(t, f.members, p2p.ValidatorConfig{
		Network: testNet, CoordinatorOnly: map[string]bool{p2p.TopicSync: true}, Now: func() time.Time { return testNow },
	})
	syncMsg := sealAt(t, testKey(t, "alice"), testNet, p2p.TopicSync, nil, testNow)
	checkVerdict(t, v.Validate(p2p.TopicSync, syncMsg), p2p.Ignore, p2p.ReasonNotCoordinator)
	checkVerdict(t, v.Validate(p2p.TopicScheduling, sched), p2p.Ignore, p2p.ReasonNotCoordinator)

	// A nil clock is the wall clock.
	v = newValidator(t, f.members, p2p.ValidatorConfig{Network: testNet})
	checkVerdict(t, v.Validate(p2p.TopicJobs, sealAt(t, testKey(t, "alice"), testNet, p2p.TopicJobs, nil, time.Now())), p2p.Accept, p2p.ReasonOK)
	checkVerdict(t, v.Validate(p2p.TopicJobs, sealAt(t, testKey(t, "alice"), testNet, p2p.TopicJobs, nil, testNow)), p2p.Ignore, p2p.ReasonStale)
}

func TestNewValidatorErrors(t *testing.T) {
	members := p2p.NewStaticMembership()
	for _, tc := range []struct {
		name    string
		members p2p.Membership
		cfg     p2p.ValidatorConfig
	}{
		{"nil membership", nil, p2p.ValidatorConfig{Network: testNet}},
		{"no network", members, p2p.ValidatorConfig{}},
		{"network too long", members, p2p.ValidatorConfig{Network: strings.Repeat("n", 33)}},
		{"negative default size", members, p2p.ValidatorConfig{Network: testNet, DefaultMaxSize: -1}},
		{"zero topic size", members, p2p.ValidatorConfig{Network: testNet, MaxSize: map[string]int{p2p.TopicJobs: 0}}},
		{"negative max age", members, p2p.ValidatorConfig{Network: testNet, MaxAge: -time.Second}},
		{"negative skew", members, p2p.ValidatorConfig{Network: testNet, MaxSkew: -time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := p2p.NewValidator(tc.members, tc.cfg); err == nil {
				t.Fatalf("built %+v", v)
			}
		})
	}
}

func TestValidationReasons(t *testing.T) {
	want := []string{"ok", "oversized", "undecodable", "bad_compression", "too_large_decompressed", "wrong_network", "wrong_topic", "stale", "future", "unknown_sender", "not_coordinator", "bad_signature", "rate_limited"}
	got := slices.Clone(p2p.ValidationReasons)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("ValidationReasons %v, want %v", p2p.ValidationReasons, want)
	}
	for _, r := range []p2p.Result{p2p.Accept, p2p.Reject, p2p.Ignore, 0} {
		if r.String() == "" {
			t.Fatalf("result %d has no name", r)
		}
	}
	if p2p.Result(0) == p2p.Accept || (p2p.Verdict{}).Result == p2p.Accept {
		t.Fatal("the zero verdict accepts")
	}
}

// An envelope is inside the window for exactly SeenTTL: from the first moment
// it can be accepted (timestamp - MaxSkew) to the last (timestamp + MaxAge).
// A seen cache that remembers its ID that long from first sight leaves no gap
// for a replay.
func TestSeenTTLCoversWindow(t *testing.T) {
	for _, cfg := range []p2p.ValidatorConfig{
		{Network: testNet},
		{Network: testNet, MaxAge: time.Minute, MaxSkew: 5 * time.Second},
		{Network: testNet, MaxAge: 10 * time.Second, MaxSkew: time.Millisecond},
	} {
		ttl := p2p.SeenTTL(cfg)
		if cfg.MaxAge == 0 && ttl != 130*time.Second {
			t.Fatalf("default SeenTTL %s, want 130s", ttl)
		}
		f := newFixture(t)
		var clock time.Time
		cfg.Now = func() time.Time { return clock }
		v := newValidator(t, f.members, cfg)

		ts := testNow
		b := sealAt(t, testKey(t, "alice"), testNet, p2p.TopicJobs, nil, ts)
		first := ts.Add(-orDefault(cfg.MaxSkew, p2p.DefaultMaxSkew))
		for _, step := range []struct {
			at     time.Time
			reason string
		}{
			{first.Add(-time.Millisecond), p2p.ReasonFuture},
			{first, p2p.ReasonOK},
			{first.Add(ttl), p2p.ReasonOK},
			{first.Add(ttl + time.Millisecond), p2p.ReasonStale},
		} {
			clock = step.at
			if got := v.Validate(p2p.TopicJobs, b); got.Reason != step.reason {
				t.Fatalf("SeenTTL %s, at timestamp%+s: %s, want %s", ttl, step.at.Sub(ts), got.Reason, step.reason)
			}
		}
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
