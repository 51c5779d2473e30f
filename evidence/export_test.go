package evidence_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/evidence"
	"validator/store"
)

func TestSignedEvidenceVerifies(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, _ := crypto.GenerateKey()
	observer := crypto.PubkeyToAddress(key.PublicKey)
	peer := common.Address{7}
	at := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	if err := st.AddTransition(store.Transition{Peer: peer, At: at, From: store.Responsive, To: store.Offline, Reason: "missed_3_pings"}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddSummary(store.Summary{Peer: peer, Start: at, End: at.Add(time.Minute), PingsSent: 6, PingsAnswered: 2, Offline: 40 * time.Second}); err != nil {
		t.Fatal(err)
	}
	rep, err := evidence.Build(st, "devnet", observer, peer, at.Add(-time.Hour), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Transitions) != 1 || len(rep.Summaries) != 1 || rep.Summaries[0].OfflineMs != 40000 {
		t.Fatalf("report = %+v", rep)
	}
	signed, err := evidence.Sign(rep, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := evidence.Verify(signed)
	if err != nil {
		t.Fatal(err)
	}
	if got.Observer != observer || got.Peer != peer || got.Transitions[0].To != "offline" {
		t.Fatalf("verified report = %+v", got)
	}

	// Tampering with a byte of the report, claiming another observer, or
	// signing with a key that is not the observer's all fail.
	tampered := signed
	tampered.Report = append(json.RawMessage(nil), signed.Report...)
	tampered.Report[len(tampered.Report)/2] ^= 1
	if _, err := evidence.Verify(tampered); err == nil {
		t.Fatal("tampered report verified")
	}
	other, _ := crypto.GenerateKey()
	if _, err := evidence.Sign(rep, other); err == nil {
		t.Fatal("signed a report for another observer")
	}
	forged := rep
	forged.Observer = crypto.PubkeyToAddress(other.PublicKey)
	fs, err := evidence.Sign(forged, other)
	if err != nil {
		t.Fatal(err)
	}
	fs.Signature = signed.Signature // the real observer's signature on the forged body
	if _, err := evidence.Verify(fs); !errors.Is(err, evidence.ErrBadEvidence) {
		t.Fatalf("forged observer: %v", err)
	}
}

func TestDecodeQueryBounds(t *testing.T) {
	for name, in := range map[string]string{
		"too long":      `{"peer":"0x0000000000000000000000000000000000000007","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z","x":"` + string(make([]byte, 300)) + `"}`,
		"unknown field": `{"peer":"0x0000000000000000000000000000000000000007","extra":1}`,
		"reversed":      `{"peer":"0x0000000000000000000000000000000000000007","from":"2026-01-02T00:00:00Z","to":"2026-01-01T00:00:00Z"}`,
		"not json":      `peer=7`,
	} {
		if _, err := evidence.DecodeQuery([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	q, err := evidence.DecodeQuery([]byte(`{"peer":"0x0000000000000000000000000000000000000007","from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`))
	if err != nil || q.Peer != (common.Address{19: 7}) {
		t.Fatalf("valid query: %+v %v", q, err)
	}
}
