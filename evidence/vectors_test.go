package evidence_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/evidence"
	"validator/internal/testutil"
)

// TestEvidenceVectors checks testdata/vectors/evidence.json (made by
// internal/vectorgen) against this package: each query's frame is its bytes
// framed, and DecodeQuery's verdict and reading of it are the listed ones;
// each report's digest is keccak256(domain || report), its signature recovers
// to the listed address, its response carries its exact bytes, and Verify's
// verdict on the response is the listed one; an accepted report that Sign
// would encode the same way is signed the same way by its signer. The worked
// example of docs/protocol.md section 8 is the valid_query and valid_report
// vectors.
func TestEvidenceVectors(t *testing.T) {
	var f struct {
		Description  string            `json:"description"`
		Domain       string            `json:"domain"`
		MaxQuerySize int               `json:"max_query_bytes"`
		Keys         map[string]string `json:"key_seeds"`
		Queries      []struct {
			Name    string `json:"name"`
			Comment string `json:"comment"`
			Request string `json:"request"`
			Frame   string `json:"frame"`
			Query   *struct {
				Peer string `json:"peer"`
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"query"`
			Result string `json:"result"`
			Error  string `json:"error"`
		} `json:"queries"`
		Reports []struct {
			Name      string `json:"name"`
			Comment   string `json:"comment"`
			Signer    string `json:"signer_key"`
			Report    string `json:"report"`
			Digest    string `json:"digest"`
			Signature string `json:"signature"`
			Recovered string `json:"recovered"`
			Response  string `json:"response"`
			Result    string `json:"result"`
			Observer  string `json:"observer"`
			Error     string `json:"error"`
		} `json:"reports"`
	}
	b, err := os.ReadFile("../testdata/vectors/evidence.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode vectors: %v", err)
	}
	if f.Domain != evidence.Domain || f.MaxQuerySize != evidence.MaxQuerySize || evidence.QuerySpec.MaxRequest != f.MaxQuerySize {
		t.Fatalf("file states domain %q and query cap %d; the code has %q, %d (spec %d)",
			f.Domain, f.MaxQuerySize, evidence.Domain, evidence.MaxQuerySize, evidence.QuerySpec.MaxRequest)
	}

	results := map[string]bool{}
	for _, q := range f.Queries {
		t.Run("query_"+q.Name, func(t *testing.T) {
			frame := append(binary.AppendUvarint(nil, uint64(len(q.Request))), q.Request...)
			if got := hexutil.Encode(frame); got != q.Frame {
				t.Errorf("frame %s, file says %s", got, q.Frame)
			}
			got, err := evidence.DecodeQuery([]byte(q.Request))
			switch {
			case err != nil && (q.Result != "refuse" || err.Error() != q.Error):
				t.Errorf("refused (%v), file says %s %q", err, q.Result, q.Error)
			case err == nil && (q.Result != "accept" || q.Query == nil):
				t.Errorf("accepted, file says %s", q.Result)
			case err == nil:
				if got.Peer.Hex() != q.Query.Peer || got.From.UTC().Format(time.RFC3339Nano) != q.Query.From || got.To.UTC().Format(time.RFC3339Nano) != q.Query.To {
					t.Errorf("reads %s %s %s, file says %+v", got.Peer.Hex(), got.From.UTC(), got.To.UTC(), *q.Query)
				}
			}
			results["query "+q.Result] = true
		})
	}
	for _, r := range f.Reports {
		t.Run("report_"+r.Name, func(t *testing.T) {
			d := crypto.Keccak256(append([]byte(f.Domain), r.Report...))
			if got := hexutil.Encode(d); got != r.Digest {
				t.Errorf("digest %s, file says %s", got, r.Digest)
			}
			sig := hexutil.MustDecode(r.Signature)
			if r.Recovered != "" {
				pub, err := crypto.SigToPub(d, sig)
				if err != nil || crypto.PubkeyToAddress(*pub).Hex() != r.Recovered {
					t.Errorf("signature recovers to %v (%v), file says %s", pub, err, r.Recovered)
				}
			}
			var s evidence.Signed
			if err := json.Unmarshal([]byte(r.Response), &s); err != nil {
				t.Fatalf("response: %v", err)
			}
			if string(s.Report) != r.Report || !bytes.Equal(s.Signature, sig) {
				t.Errorf("response carries %s and %x, not the report and signature", s.Report, []byte(s.Signature))
			}
			rep, err := evidence.Verify(s)
			switch {
			case err != nil && (r.Result != "refuse" || err.Error() != r.Error):
				t.Errorf("refused (%v), file says %s %q", err, r.Result, r.Error)
			case err == nil && (r.Result != "accept" || rep.Observer.Hex() != r.Observer):
				t.Errorf("accepted, observer %s; file says %s %q", rep.Observer.Hex(), r.Result, r.Observer)
			case err == nil:
				key, err := crypto.ToECDSA(crypto.Keccak256([]byte(f.Keys[r.Signer])))
				if err != nil {
					t.Fatalf("signer %s: %v", r.Signer, err)
				}
				again, err := evidence.Sign(rep, key)
				if err != nil {
					t.Fatal(err)
				}
				if string(again.Report) != r.Report {
					results["report accepted as received"] = true
					break
				}
				if !bytes.Equal(again.Signature, sig) {
					t.Errorf("Sign gives signature %x, file says %s", []byte(again.Signature), r.Signature)
				}
				if resp, err := json.Marshal(again); err != nil || string(resp) != r.Response {
					t.Errorf("a responder writes %s (%v), file says %s", resp, err, r.Response)
				}
			}
			results["report "+r.Result] = true
		})
	}
	for _, want := range []string{"query accept", "query refuse", "report accept", "report refuse", "report accepted as received"} {
		if !results[want] {
			t.Errorf("no vector for %s", want)
		}
	}

	// docs/protocol.md's worked example is these vectors.
	doc := testutil.DocStates(t, "../docs/protocol.md")
	for _, q := range f.Queries {
		if q.Name == "valid_query" {
			doc("evidence query example", q.Request)
		}
	}
	for _, r := range f.Reports {
		if r.Name == "valid_report" {
			doc("evidence response example", r.Response)
			doc("evidence digest", "digest"+strings.TrimPrefix(r.Digest, "0x"))
		}
	}
}
