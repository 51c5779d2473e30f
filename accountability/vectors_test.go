package accountability_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/accountability"
	"validator/chain"
	"validator/internal/testutil"
	"validator/p2p"
)

// attestationFile is testdata/vectors/attestations.json (docs/protocol.md,
// section 9; written by internal/vectorgen).
type attestationFile struct {
	DomainTag          string `json:"domain_tag"`
	Domain             string `json:"domain"`
	CommitteeDomainTag string `json:"committee_domain_tag"`
	CommitteeDomain    string `json:"committee_domain"`
	ChainID            int64  `json:"chain_id"`
	Registry           string `json:"registry"`
	Params             struct {
		ReportWindow     uint64 `json:"reportWindow"`
		OfflineThreshold uint64 `json:"offlineThreshold"`
		ReportDeadline   uint64 `json:"reportDeadline"`
		JailPeriod       uint64 `json:"jailPeriod"`
		SlashBps         uint16 `json:"slashBps"`
		CommitteeSize    uint32 `json:"committeeSize"`
	} `json:"params"`
	Network          string            `json:"network"`
	Topic            string            `json:"topic"`
	EnvelopeMaxBytes int               `json:"envelope_max_bytes"`
	MaxPayload       int               `json:"max_payload_bytes"`
	NowMs            int64             `json:"now_ms"`
	NowWindow        uint64            `json:"now_window"`
	Keys             map[string]string `json:"key_seeds"`
	Attestations     []struct {
		Name         string `json:"name"`
		AttesterName string `json:"attester_name"`
		Attester     string `json:"attester"`
		Payload      string `json:"payload"`
		Fields       *struct {
			Node           string `json:"node"`
			Window         uint64 `json:"window"`
			OfflineSeconds uint64 `json:"offline_seconds"`
			Signature      string `json:"signature"`
			WindowStart    int64  `json:"window_start"`
			WindowEnd      int64  `json:"window_end"`
			Deadline       int64  `json:"deadline"`
			Encoded        string `json:"abi_encoded"`
			Digest         string `json:"digest"`
			Recovered      string `json:"recovered"`
		} `json:"fields"`
		Envelope  string `json:"envelope"`
		MessageID string `json:"message_id"`
		Result    string `json:"result"`
		Reason    string `json:"reason"`
	} `json:"attestations"`
	Committees []struct {
		Name          string `json:"name"`
		Node          string `json:"node"`
		Window        uint64 `json:"window"`
		Observer      string `json:"observer"`
		Observers     int    `json:"observers"`
		CommitteeSize uint32 `json:"committee_size"`
		InCommittee   bool   `json:"in_committee"`
	} `json:"committees"`
	Quorums []struct {
		Observers     int    `json:"observers"`
		CommitteeSize uint32 `json:"committee_size"`
		Committee     int    `json:"committee"`
		Quorum        int    `json:"quorum"`
	} `json:"quorums"`
}

// verdict is the attestations topic's payload check of docs/protocol.md
// section 9: Decode and Check refuse (Reject, bad_payload) except a window
// not over or past its deadline (Ignore, ignored_payload).
func verdict(d accountability.Domain, attester common.Address, payload []byte, now time.Time) (result, reason string) {
	a, err := accountability.Decode(attester, payload)
	if err == nil {
		err = d.Check(a, now)
	}
	switch {
	case err == nil:
		return "accept", p2p.ReasonOK
	case errors.Is(err, accountability.ErrStale), errors.Is(err, accountability.ErrFuture):
		return "ignore", p2p.ReasonIgnoredPayload
	}
	return "reject", p2p.ReasonBadPayload
}

// TestAttestationVectors checks every vector of attestations.json against
// the Go implementation: the domain tags, the payload encoding (Decode,
// Encode), the signing digest (chain.AttestDigest) and signature
// (chain.SignAttestation), Domain.Check's verdict at the file's clock, the
// envelope, committee membership (chain.InCommittee) and quorums
// (chain.Quorum).
func TestAttestationVectors(t *testing.T) {
	raw, err := os.ReadFile("../testdata/vectors/attestations.json")
	if err != nil {
		t.Fatal(err)
	}
	var f attestationFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}

	if got := crypto.Keccak256Hash([]byte(f.DomainTag)); got != chain.AttestDomain || common.HexToHash(f.Domain) != got {
		t.Errorf("domain: %s, keccak256(%q) = %s, chain.AttestDomain %s", f.Domain, f.DomainTag, got, chain.AttestDomain)
	}
	if got := crypto.Keccak256Hash([]byte(f.CommitteeDomainTag)); got != chain.CommitteeDomain || common.HexToHash(f.CommitteeDomain) != got {
		t.Errorf("committee domain: %s, keccak256(%q) = %s, chain.CommitteeDomain %s", f.CommitteeDomain, f.CommitteeDomainTag, got, chain.CommitteeDomain)
	}
	if f.Topic != p2p.TopicAttestations || f.MaxPayload != accountability.MaxPayload {
		t.Errorf("topic %q, max payload %d; want %q, %d", f.Topic, f.MaxPayload, p2p.TopicAttestations, accountability.MaxPayload)
	}
	sec := func(s uint64) time.Duration { return time.Duration(s) * time.Second }
	d := accountability.Domain{
		ChainID: big.NewInt(f.ChainID), Registry: common.HexToAddress(f.Registry),
		Params: chain.Accountability{
			ReportWindow: sec(f.Params.ReportWindow), OfflineThreshold: sec(f.Params.OfflineThreshold),
			ReportDeadline: sec(f.Params.ReportDeadline), JailPeriod: sec(f.Params.JailPeriod),
			SlashBps: f.Params.SlashBps, CommitteeSize: f.Params.CommitteeSize,
		},
	}
	now := time.UnixMilli(f.NowMs).UTC()
	if d.Window(now) != f.NowWindow {
		t.Errorf("now_window %d, Domain.Window says %d", f.NowWindow, d.Window(now))
	}
	keys := map[string]bool{}
	results := map[string]int{}
	for _, v := range f.Attestations {
		t.Run(v.Name, func(t *testing.T) {
			results[v.Reason]++
			attester := common.HexToAddress(v.Attester)
			seed, ok := f.Keys[v.AttesterName]
			if !ok {
				t.Fatalf("attester %s has no key seed", v.AttesterName)
			}
			key, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
			if err != nil {
				t.Fatal(err)
			}
			if crypto.PubkeyToAddress(key.PublicKey) != attester {
				t.Fatalf("attester %s is not keccak256(%q)'s address", v.Attester, seed)
			}
			keys[v.AttesterName] = true
			payload := hexutil.MustDecode(v.Payload)
			if res, reason := verdict(d, attester, payload, now); res != v.Result || reason != v.Reason {
				t.Errorf("verdict %s/%s, the vector says %s/%s", res, reason, v.Result, v.Reason)
			}
			if want := v.Name[:strings.Index(v.Name, "_")]; (want == "valid") != (v.Reason == p2p.ReasonOK) {
				t.Errorf("named %s but the verdict is %s", v.Name, v.Reason)
			}

			env, err := p2p.DecodeEnvelope(hexutil.MustDecode(v.Envelope))
			if err != nil {
				t.Fatalf("envelope: %v", err)
			}
			if env.Network != f.Network || env.Topic != p2p.TopicAttestations || env.Sender != attester ||
				!bytes.Equal(env.Payload, payload) || env.Timestamp != uint64(f.NowMs) {
				t.Errorf("envelope: %s %s %s %d %x; want the vector's network, topic, attester, now and payload",
					env.Network, env.Topic, env.Sender, env.Timestamp, env.Payload)
			}
			if err := env.Verify(crypto.FromECDSAPub(&key.PublicKey)); err != nil {
				t.Errorf("the envelope's signature is not the attester's: %v", err)
			}
			if len(hexutil.MustDecode(v.Envelope)) > f.EnvelopeMaxBytes {
				t.Errorf("envelope over the topic's cap %d", f.EnvelopeMaxBytes)
			}
			if got := hexutil.Encode([]byte(p2p.MessageID(hexutil.MustDecode(v.Envelope)))); got != v.MessageID {
				t.Errorf("message ID %s, the vector says %s", got, v.MessageID)
			}

			a, err := accountability.Decode(attester, payload)
			if (err == nil) != (v.Fields != nil && len(payload) <= accountability.MaxPayload && len(hexutil.MustDecode(v.Fields.Signature)) == accountability.SignatureLen) {
				t.Errorf("Decode: %v, fields %v", err, v.Fields != nil)
			}
			if v.Fields == nil {
				return
			}
			fl := v.Fields
			node := common.HexToAddress(fl.Node)
			sig := hexutil.MustDecode(fl.Signature)
			if err == nil {
				if a.Node != node || a.Window != fl.Window || a.OfflineSeconds != fl.OfflineSeconds || !bytes.Equal(a.Signature, sig) {
					t.Errorf("Decode: %+v, the vector's fields %+v", a, fl)
				}
				if !bytes.Equal(accountability.Encode(a), payload) {
					t.Errorf("Encode: %x, the payload %x", accountability.Encode(a), payload)
				}
			}
			digest := chain.AttestDigest(d.ChainID, d.Registry, node, fl.Window, fl.OfflineSeconds)
			if digest.Hex() != fl.Digest || crypto.Keccak256Hash(hexutil.MustDecode(fl.Encoded)) != digest {
				t.Errorf("digest: %s, the vector says %s (keccak256 of abi_encoded %s)", digest, fl.Digest, crypto.Keccak256Hash(hexutil.MustDecode(fl.Encoded)))
			}
			if d.Digest(accountability.Attestation{Node: node, Window: fl.Window, OfflineSeconds: fl.OfflineSeconds}) != digest {
				t.Error("Domain.Digest is not chain.AttestDigest")
			}
			if d.Start(fl.Window).Unix() != fl.WindowStart || d.End(fl.Window).Unix() != fl.WindowEnd || d.Deadline(fl.Window).Unix() != fl.Deadline {
				t.Errorf("window %d: start %s end %s deadline %s, the vector says %d %d %d", fl.Window,
					d.Start(fl.Window), d.End(fl.Window), d.Deadline(fl.Window), fl.WindowStart, fl.WindowEnd, fl.Deadline)
			}
			if v.Reason == p2p.ReasonOK {
				own, err := chain.SignAttestation(key, d.ChainID, d.Registry, node, fl.Window, fl.OfflineSeconds)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(own, sig) {
					t.Errorf("SignAttestation: %x, the vector's signature %x", own, sig)
				}
				if common.HexToAddress(fl.Recovered) != attester {
					t.Errorf("recovered %s, attester %s", fl.Recovered, attester)
				}
			}
		})
	}
	for _, r := range []string{p2p.ReasonOK, p2p.ReasonBadPayload, p2p.ReasonIgnoredPayload} {
		if results[r] == 0 {
			t.Errorf("no attestation vector is %s", r)
		}
	}

	in := map[bool]int{}
	for _, c := range f.Committees {
		got := chain.InCommittee(d.ChainID, d.Registry, common.HexToAddress(c.Node), c.Window, common.HexToAddress(c.Observer), c.Observers, c.CommitteeSize)
		if got != c.InCommittee {
			t.Errorf("committee %s: InCommittee %t, the vector says %t", c.Name, got, c.InCommittee)
		}
		if c.Observers > int(c.CommitteeSize) {
			in[got]++
		}
	}
	if in[true] == 0 || in[false] == 0 {
		t.Errorf("the sortition vectors have %d in and %d out; want both", in[true], in[false])
	}
	for _, q := range f.Quorums {
		if got := chain.Quorum(q.Observers, q.CommitteeSize); got != q.Quorum || q.Committee != min(q.Observers, int(q.CommitteeSize)) {
			t.Errorf("quorum of %d observers, committees of %d: %d, the vector says %d (committee %d)", q.Observers, q.CommitteeSize, got, q.Quorum, q.Committee)
		}
	}
}

// TestProtocolDocAttestation keeps section 9's worked example true: devnet
// node key 2 attests devnet node key 1 offline 900 s in window 490895 on the
// devnet registry; the domain tags, digest, signature and payload computed
// here must appear in docs/protocol.md verbatim.
func TestProtocolDocAttestation(t *testing.T) {
	want := testutil.DocStates(t, "../docs/protocol.md")
	chainID := big.NewInt(chain.DevnetChainID)
	attester := chain.DevnetNodeKey(2)
	node := crypto.PubkeyToAddress(chain.DevnetNodeKey(1).PublicKey)
	want("attester", crypto.PubkeyToAddress(attester.PublicKey).Hex())
	want("node", node.Hex())
	want("ATTEST_DOMAIN", `ATTEST_DOMAIN=keccak256("validator.NodeRegistry.offline.v1")=`+hex.EncodeToString(chain.AttestDomain[:]))
	want("COMMITTEE_DOMAIN", "`COMMITTEE_DOMAIN = keccak256(\"validator.NodeRegistry.committee.v1\")` =\n`"+hex.EncodeToString(chain.CommitteeDomain[:])+"`")
	const window, secs = 490895, 900
	d := chain.AttestDigest(chainID, chain.DevnetRegistry, node, window, secs)
	want("digest", "digest"+hex.EncodeToString(d[:]))
	sig, err := chain.SignAttestation(attester, chainID, chain.DevnetRegistry, node, window, secs)
	if err != nil {
		t.Fatal(err)
	}
	want("signature", "signature"+hex.EncodeToString(sig))
	p := accountability.Encode(accountability.Attestation{Node: node, Window: window, OfflineSeconds: secs, Signature: sig})
	if len(p) != 97 {
		t.Errorf("the example payload is %d bytes, the document says 97", len(p))
	}
	// The payload as the document lays it out: header, node, window, seconds, signature.
	want("payload", hex.EncodeToString(p[:2])+"list,95bytes"+hex.EncodeToString(p[2:23])+"node"+
		hex.EncodeToString(p[23:27])+"490895"+hex.EncodeToString(p[27:30])+"900"+hex.EncodeToString(p[30:]))
	start := time.Unix(window*3600, 0).UTC()
	want("window start", start.Format("2006-01-02T15:04:05Z"))
	want("window deadline", start.Add(25*time.Hour).Format("2006-01-02T15:04:05Z"))
}
