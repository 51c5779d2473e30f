package p2p_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"

	"validator/p2p"
)

// envelopeVectors is testdata/vectors/envelopes.json (internal/vectorgen).
type envelopeVectors struct {
	Network         string         `json:"network"`
	NowMs           int64          `json:"now_ms"`
	MaxAgeMs        int64          `json:"max_age_ms"`
	MaxSkewMs       int64          `json:"max_skew_ms"`
	MaxSize         map[string]int `json:"max_size"`
	CoordinatorOnly []string       `json:"coordinator_only"`
	Members         []struct {
		Name        string `json:"name"`
		Address     string `json:"address"`
		PublicKey   string `json:"public_key"`
		Coordinator bool   `json:"coordinator"`
	} `json:"members"`
	Vectors []struct {
		Name     string `json:"name"`
		Topic    string `json:"topic"`
		Envelope string `json:"envelope"`
		Fields   *struct {
			Network     string `json:"network"`
			Topic       string `json:"topic"`
			Sender      string `json:"sender"`
			TimestampMs uint64 `json:"timestamp_ms"`
			Payload     string `json:"payload"`
		} `json:"fields"`
		SigningHash string `json:"signing_hash"`
		Signature   string `json:"signature"`
		MessageID   string `json:"message_id"`
		Result      string `json:"result"`
		Reason      string `json:"reason"`
	} `json:"vectors"`
}

// TestEnvelopeVectors checks the conformance vectors against this package:
// each vector's bytes decode to its fields and re-encode to the same bytes,
// and its signing digest, message ID and verdict (from a Validator with the
// vectors' members, network and clock, and the default limits the file
// states) are the listed ones. Every standard topic has an accepted vector and
// every reason Validate gives has a vector.
func TestEnvelopeVectors(t *testing.T) {
	b, err := os.ReadFile("../testdata/vectors/envelopes.json")
	if err != nil {
		t.Fatal(err)
	}
	var f envelopeVectors
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("decode vectors: %v", err)
	}
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

	var members []p2p.Member
	for _, m := range f.Members {
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
	now := time.UnixMilli(f.NowMs)
	cfg.Now = func() time.Time { return now }
	v := newValidator(t, p2p.NewStaticMembership(members...), cfg)

	accepted, reasons := map[string]bool{}, map[string]bool{}
	for _, vec := range f.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
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
			got := v.Validate(vec.Topic, data)
			if got.Result.String() != vec.Result || got.Reason != vec.Reason {
				t.Errorf("verdict %s/%s, file says %s/%s", got.Result, got.Reason, vec.Result, vec.Reason)
			}
			if want := wantResult[got.Reason]; want != got.Result {
				t.Errorf("reason %s came with %s, want %s", got.Reason, got.Result, want)
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
