package p2p_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"validator/p2p"
)

// readVectors decodes testdata/vectors/<name> into v.
func readVectors(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("../testdata/vectors/" + name)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

// vectorMember is a registered node of the gossip vectors.
type vectorMember struct {
	Name        string `json:"name"`
	Address     string `json:"address"`
	PublicKey   string `json:"public_key"`
	Coordinator bool   `json:"coordinator"`
}

// envelopeVector is a gossip message and its verdict (envelopes.json, and the
// envelopes of heartbeats.json).
type envelopeVector struct {
	Name     string `json:"name"`
	Comment  string `json:"comment"`
	Topic    string `json:"topic"`
	Envelope string `json:"envelope"`
	Fields   *struct {
		Network     string `json:"network"`
		Topic       string `json:"topic"`
		Sender      string `json:"sender"`
		TimestampMs uint64 `json:"timestamp_ms"`
		Payload     string `json:"payload"`
		// A compressed envelope's encoding, and its payload decompressed
		// (in full up to 4 KiB) where that is within the topic's cap.
		Encoding      uint64 `json:"encoding"`
		ContentLength *int   `json:"content_length"`
		Content       string `json:"content"`
	} `json:"fields"`
	SigningHash string `json:"signing_hash"`
	Signature   string `json:"signature"`
	MessageID   string `json:"message_id"`
	Result      string `json:"result"`
	Reason      string `json:"reason"`
}

// envelopeVectors is testdata/vectors/envelopes.json (internal/vectorgen).
type envelopeVectors struct {
	Description     string            `json:"description"`
	Network         string            `json:"network"`
	NowMs           int64             `json:"now_ms"`
	MaxAgeMs        int64             `json:"max_age_ms"`
	MaxSkewMs       int64             `json:"max_skew_ms"`
	MaxSize         map[string]int    `json:"max_size"`
	CoordinatorOnly []string          `json:"coordinator_only"`
	Members         []vectorMember    `json:"members"`
	Keys            map[string]string `json:"key_seeds"`
	Vectors         []envelopeVector  `json:"vectors"`
}

// vectorValidator is a Validator of network with the vectors' members
// registered and its clock at nowMs, and the default limits.
func vectorValidator(t *testing.T, network string, nowMs int64, ms []vectorMember) *p2p.Validator {
	t.Helper()
	var members []p2p.Member
	for _, m := range ms {
		pub := hexutil.MustDecode(m.PublicKey)
		key, err := ethcrypto.UnmarshalPubkey(pub)
		if err != nil {
			t.Fatalf("member %s: %v", m.Name, err)
		}
		if got := ethcrypto.PubkeyToAddress(*key); got.Hex() != m.Address {
			t.Fatalf("member %s: key is address %s, file says %s", m.Name, got.Hex(), m.Address)
		}
		members = append(members, p2p.Member{ID: common.HexToAddress(m.Address), Coordinator: m.Coordinator, PubKey: pub})
	}
	cfg := p2p.DefaultValidatorConfig(network)
	now := time.UnixMilli(nowMs)
	cfg.Now = func() time.Time { return now }
	return newValidator(t, p2p.NewStaticMembership(members...), cfg)
}

// checkEnvelope checks that a vector's bytes decode to its fields and
// re-encode to the same bytes, and that its signing digest, message ID and
// verdict (by judge) are the listed ones.
func checkEnvelope(t *testing.T, vec envelopeVector, judge func(topic string, data []byte) p2p.Verdict) {
	t.Helper()
	data := hexutil.MustDecode(vec.Envelope)
	if got := hexutil.Encode([]byte(p2p.MessageID(data))); got != vec.MessageID {
		t.Errorf("message ID %s, file says %s", got, vec.MessageID)
	}
	e, err := p2p.DecodeEnvelope(data)
	switch {
	case vec.Fields == nil && err == nil:
		t.Errorf("decoded, but the file lists no fields")
	case vec.Fields != nil && err != nil:
		t.Errorf("decode: %v", err)
	case vec.Fields != nil:
		fl := vec.Fields
		if e.Network != fl.Network || e.Topic != fl.Topic || e.Sender.Hex() != fl.Sender ||
			e.Timestamp != fl.TimestampMs || hexutil.Encode(e.Payload) != fl.Payload {
			t.Errorf("decoded %s %s %s %d %x, file says %+v", e.Network, e.Topic, e.Sender.Hex(), e.Timestamp, e.Payload, *fl)
		}
		if e.Encoding != fl.Encoding {
			t.Errorf("encoding %d, file says %d", e.Encoding, fl.Encoding)
		}
		if fl.Encoding != p2p.EncodingRaw {
			c, err := e.Content(p2p.DefaultMaxEnvelopeSize)
			switch {
			case fl.ContentLength == nil && err == nil && len(c) <= p2p.DefaultMaxEnvelopeSize:
				t.Errorf("decompresses to %d bytes, the file lists no content", len(c))
			case fl.ContentLength != nil && err != nil:
				t.Errorf("decompress: %v", err)
			case fl.ContentLength != nil && len(c) != *fl.ContentLength:
				t.Errorf("decompresses to %d bytes, file says %d", len(c), *fl.ContentLength)
			case fl.Content != "" && hexutil.Encode(c) != fl.Content:
				t.Errorf("decompresses to %x, file says %s", c, fl.Content)
			}
		}
		if got := hexutil.Encode(e.Signature); got != vec.Signature {
			t.Errorf("signature %s, file says %s", got, vec.Signature)
		}
		h := e.SigningHash()
		if got := hexutil.Encode(h[:]); got != vec.SigningHash {
			t.Errorf("signing hash %s, file says %s", got, vec.SigningHash)
		}
		if re, err := p2p.EncodeEnvelope(e); err != nil || !bytes.Equal(re, data) {
			t.Errorf("re-encodes to %x (%v), not the vector's bytes", re, err)
		}
	}
	got := judge(vec.Topic, data)
	if got.Result.String() != vec.Result || got.Reason != vec.Reason {
		t.Errorf("verdict %s/%s, file says %s/%s", got.Result, got.Reason, vec.Result, vec.Reason)
	}
}

// TestEnvelopeVectors checks the conformance vectors against this package:
// each vector's bytes decode to its fields and re-encode to the same bytes,
// and its signing digest, message ID and verdict (from a Validator with the
// vectors' members, network and clock, and the default limits the file
// states) are the listed ones. Every standard topic has an accepted vector and
// every reason Validate gives has a vector.
func TestEnvelopeVectors(t *testing.T) {
	var f envelopeVectors
	readVectors(t, "envelopes.json", &f)
	cfg := p2p.DefaultValidatorConfig(f.Network)
	if f.MaxAgeMs != cfg.MaxAge.Milliseconds() || f.MaxSkewMs != cfg.MaxSkew.Milliseconds() ||
		f.MaxSize["default"] != cfg.DefaultMaxSize || f.MaxSize[p2p.TopicHeartbeats] != cfg.MaxSize[p2p.TopicHeartbeats] {
		t.Fatalf("vectors state limits %d ms, %d ms, %v; defaults are %s, %s, %d, %v",
			f.MaxAgeMs, f.MaxSkewMs, f.MaxSize, cfg.MaxAge, cfg.MaxSkew, cfg.DefaultMaxSize, cfg.MaxSize)
	}
	for _, topic := range f.CoordinatorOnly {
		if !cfg.CoordinatorOnly[topic] {
			t.Fatalf("vectors state %s is coordinator-only; the default says not", topic)
		}
	}
	v := vectorValidator(t, f.Network, f.NowMs, f.Members)

	accepted, reasons := map[string]bool{}, map[string]bool{}
	for _, vec := range f.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			checkEnvelope(t, vec, v.Validate)
			if want := wantResult[vec.Reason]; want.String() != vec.Result {
				t.Errorf("reason %s came with %s, want %s", vec.Reason, vec.Result, want)
			}
			reasons[vec.Reason] = true
			if vec.Reason == p2p.ReasonOK {
				accepted[vec.Topic] = true
			}
		})
	}
	for _, topic := range p2p.StandardTopics {
		if !accepted[topic] {
			t.Errorf("no accepted vector on %s", topic)
		}
	}
	for _, r := range p2p.ValidationReasons {
		if r != p2p.ReasonRateLimited && !reasons[r] {
			t.Errorf("no vector for reason %s", r)
		}
	}
}

// statusFields are a Status as status.json writes it.
type statusFields struct {
	Network       string `json:"network"`
	ChainID       uint64 `json:"chain_id"`
	Registry      string `json:"registry"`
	RegistryBlock uint64 `json:"registry_block"`
	Version       string `json:"version"`
}

func (s statusFields) status() p2p.Status {
	return p2p.Status{Network: s.Network, ChainID: s.ChainID, Registry: common.HexToAddress(s.Registry), RegistryBlock: s.RegistryBlock, Version: s.Version}
}

// TestStatusVectors checks testdata/vectors/status.json against the
// handshake: the listener's status encodes to listener_rlp; each vector's
// status encodes to its body and its body frames to its request; and the
// listener's verdict on the request (result, differing field, ban, the bytes
// it answers) is the listed one. The frame cap the file states is the one the
// handshake applies, and every result and mismatch field has a vector.
func TestStatusVectors(t *testing.T) {
	var f struct {
		Description string       `json:"description"`
		Protocol    string       `json:"protocol"`
		MaxFrame    int          `json:"max_frame_bytes"`
		Listener    statusFields `json:"listener"`
		ListenerRLP string       `json:"listener_rlp"`
		Vectors     []struct {
			Name     string        `json:"name"`
			Comment  string        `json:"comment"`
			Status   *statusFields `json:"status"`
			Body     string        `json:"body"`
			Request  string        `json:"request"`
			Result   string        `json:"result"`
			Field    string        `json:"field"`
			BanMs    int64         `json:"ban_ms"`
			Response string        `json:"response"`
		} `json:"vectors"`
	}
	readVectors(t, "status.json", &f)
	ours := f.Listener.status()
	if got := string(p2p.StatusProtocol(ours.Network)); got != f.Protocol {
		t.Errorf("protocol %s, file says %s", got, f.Protocol)
	}
	if b, err := rlp.EncodeToBytes(ours); err != nil || hexutil.Encode(b) != f.ListenerRLP {
		t.Fatalf("listener status encodes to %x (%v), file says %s", b, err, f.ListenerRLP)
	}
	// A frame of max_frame_bytes is read (and fails to decode); one more byte
	// is refused by its length.
	for n, want := range map[int]string{f.MaxFrame: "invalid", f.MaxFrame + 1: "timeout"} {
		if got := p2p.JudgeStatusRequest(ours, p2p.AppendFrame(nil, make([]byte, n))); got.Result != want {
			t.Errorf("a %d-byte frame of zeros: %s, want %s (max_frame_bytes %d)", n, got.Result, want, f.MaxFrame)
		}
	}
	answer := hexutil.Encode(append([]byte{0}, p2p.AppendFrame(nil, hexutil.MustDecode(f.ListenerRLP))...))

	seen := map[string]bool{}
	for _, vec := range f.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			req := hexutil.MustDecode(vec.Request)
			if vec.Status != nil {
				st := vec.Status.status()
				if b, err := rlp.EncodeToBytes(st); err != nil || hexutil.Encode(b) != vec.Body {
					t.Errorf("status encodes to %x (%v), file says body %s", b, err, vec.Body)
				}
				if vec.Result != "invalid" {
					if got, err := p2p.DecodeStatus(hexutil.MustDecode(vec.Body)); err != nil || got != st {
						t.Errorf("body decodes to %+v (%v), file says %+v", got, err, st)
					}
				}
			}
			if vec.Body != "" {
				if got := p2p.AppendFrame(nil, hexutil.MustDecode(vec.Body)); !bytes.Equal(got, req) {
					t.Errorf("body frames to %x, file says request %s", got, vec.Request)
				}
			}
			v := p2p.JudgeStatusRequest(ours, req)
			if v.Result != vec.Result || v.Field != vec.Field || v.Ban.Milliseconds() != vec.BanMs {
				t.Errorf("verdict %s %q, ban %s; file says %s %q, %d ms", v.Result, v.Field, v.Ban, vec.Result, vec.Field, vec.BanMs)
			}
			resp := ""
			if v.Response != nil {
				resp = hexutil.Encode(v.Response)
			}
			if resp != vec.Response {
				t.Errorf("response %s, file says %s", resp, vec.Response)
			}
			if (vec.Result == "ok" || vec.Result == "mismatch") != (vec.Response == answer) {
				t.Errorf("result %s with response %s; the listener answers %s exactly on ok and mismatch", vec.Result, vec.Response, answer)
			}
			seen[vec.Result+" "+vec.Field] = true
		})
	}
	for _, r := range []string{"ok ", "mismatch network", "mismatch chain_id", "mismatch registry", "invalid ", "timeout "} {
		if !seen[r] {
			t.Errorf("no vector with verdict %s", r)
		}
	}
}

// TestHeartbeatVectors checks testdata/vectors/heartbeats.json: each payload's
// fields encode to it, and a heartbeats envelope carrying it, signed by a
// member, gets the listed verdict from ValidateGossip (the whole gossip
// check) while DecodeHeartbeat agrees; the limits the file states are the
// ones decoding applies; and each whole envelope checks as in
// TestEnvelopeVectors, with ValidateGossip's verdict.
func TestHeartbeatVectors(t *testing.T) {
	type hbFields struct {
		Addrs   []string `json:"addrs"`
		Version string   `json:"version"`
	}
	var f struct {
		Description     string `json:"description"`
		MaxAddrs        int    `json:"max_addrs"`
		MaxAddrBytes    int    `json:"max_addr_bytes"`
		MaxVersionBytes int    `json:"max_version_bytes"`
		Payloads        []struct {
			Name    string    `json:"name"`
			Comment string    `json:"comment"`
			Fields  *hbFields `json:"fields"`
			Payload string    `json:"payload"`
			Result  string    `json:"result"`
			Reason  string    `json:"reason"`
		} `json:"payloads"`
		Network   string            `json:"network"`
		NowMs     int64             `json:"now_ms"`
		Members   []vectorMember    `json:"members"`
		Keys      map[string]string `json:"key_seeds"`
		Envelopes []envelopeVector  `json:"envelopes"`
	}
	readVectors(t, "heartbeats.json", &f)
	v := vectorValidator(t, f.Network, f.NowMs, f.Members)

	// The stated limits are decoding's: at the limit valid, one over refused.
	addrs := func(n, size int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "/dns4/" + strings.Repeat("a", size-len("/dns4/")-len(".x/tcp/9000")) + ".x/tcp/9000"
		}
		return out
	}
	for _, c := range []struct {
		what string
		at   func(over int) p2p.Heartbeat
	}{
		{"max_addrs", func(o int) p2p.Heartbeat { return p2p.Heartbeat{Addrs: addrs(f.MaxAddrs+o, 30)} }},
		{"max_addr_bytes", func(o int) p2p.Heartbeat { return p2p.Heartbeat{Addrs: addrs(1, f.MaxAddrBytes+o)} }},
		{"max_version_bytes", func(o int) p2p.Heartbeat { return p2p.Heartbeat{Version: strings.Repeat("v", f.MaxVersionBytes+o)} }},
	} {
		for over, wantOK := range map[int]bool{0: true, 1: false} {
			b, err := p2p.EncodeHeartbeat(c.at(over))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p2p.DecodeHeartbeat(b); (err == nil) != wantOK {
				t.Errorf("%s + %d: decode error %v", c.what, over, err)
			}
		}
	}

	seed, ok := f.Keys[f.Members[0].Name]
	if !ok {
		t.Fatalf("no key seed for member %s", f.Members[0].Name)
	}
	key, err := ethcrypto.ToECDSA(ethcrypto.Keccak256([]byte(seed)))
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]bool{}
	for _, p := range f.Payloads {
		t.Run(p.Name, func(t *testing.T) {
			payload := hexutil.MustDecode(p.Payload)
			if p.Fields != nil {
				if b, err := p2p.EncodeHeartbeat(p2p.Heartbeat{Addrs: p.Fields.Addrs, Version: p.Fields.Version}); err != nil || !bytes.Equal(b, payload) {
					t.Errorf("fields encode to %x (%v), file says %s", b, err, p.Payload)
				}
			}
			hb, decodeErr := p2p.DecodeHeartbeat(payload)
			if (decodeErr == nil) != (p.Result == "accept") {
				t.Errorf("decode error %v, file says %s", decodeErr, p.Result)
			}
			if decodeErr == nil && (p.Fields == nil || !slices.Equal(hb.Addrs, p.Fields.Addrs) || hb.Version != p.Fields.Version) {
				t.Errorf("decodes to %+v, file says %+v", hb, p.Fields)
			}
			data, err := p2p.Seal(key, f.Network, p2p.TopicHeartbeats, payload, time.UnixMilli(f.NowMs))
			if err != nil {
				t.Fatal(err)
			}
			got := v.ValidateGossip(p2p.TopicHeartbeats, data)
			if got.Result.String() != p.Result || got.Reason != p.Reason {
				t.Errorf("verdict %s/%s, file says %s/%s", got.Result, got.Reason, p.Result, p.Reason)
			}
			results[p.Result] = true
		})
	}
	for _, vec := range f.Envelopes {
		t.Run("envelope_"+vec.Name, func(t *testing.T) {
			checkEnvelope(t, vec, v.ValidateGossip)
			results["envelope "+vec.Reason] = true
		})
	}
	for _, r := range []string{"accept", "reject", "envelope ok", "envelope " + p2p.ReasonBadHeartbeat} {
		if !results[r] {
			t.Errorf("no vector for %s", r)
		}
	}
}
