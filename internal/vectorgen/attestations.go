package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"validator/accountability"
	"validator/chain"
	"validator/p2p"
)

// AttestationFile is attestations.json.
type AttestationFile struct {
	Description        string            `json:"description"`
	DomainTag          string            `json:"domain_tag"`
	Domain             string            `json:"domain"`
	CommitteeDomainTag string            `json:"committee_domain_tag"`
	CommitteeDomain    string            `json:"committee_domain"`
	ChainID            uint64            `json:"chain_id"`
	Registry           string            `json:"registry"`
	Params             AttestationParams `json:"params"`
	Network            string            `json:"network"`
	Topic              string            `json:"topic"`
	EnvelopeMaxBytes   int               `json:"envelope_max_bytes"`
	MaxPayload         int               `json:"max_payload_bytes"`
	NowMs              uint64            `json:"now_ms"`
	NowWindow          uint64            `json:"now_window"`
	Keys               map[string]string `json:"key_seeds"`
	Members            []Member          `json:"members"`
	Attestations       []AttVector       `json:"attestations"`
	Committees         []CommitteeVector `json:"committees"`
	Quorums            []QuorumVector    `json:"quorums"`
}

// AttestationParams are the registry's accountability parameters, in seconds
// as its views return them.
type AttestationParams struct {
	ReportWindow     uint64 `json:"reportWindow"`
	OfflineThreshold uint64 `json:"offlineThreshold"`
	ReportDeadline   uint64 `json:"reportDeadline"`
	JailPeriod       uint64 `json:"jailPeriod"`
	SlashBps         uint16 `json:"slashBps"`
	CommitteeSize    uint32 `json:"committeeSize"`
}

// AttFields are what an attestation payload encodes, with its attester (the
// envelope's sender) and the digest its signature must be over.
type AttFields struct {
	Node           string `json:"node"`
	Window         uint64 `json:"window"`
	OfflineSeconds uint64 `json:"offline_seconds"`
	Signature      string `json:"signature"`
	WindowStart    uint64 `json:"window_start"`
	WindowEnd      uint64 `json:"window_end"`
	Deadline       uint64 `json:"deadline"`
	Encoded        string `json:"abi_encoded"`
	Digest         string `json:"digest"`
	Recovered      string `json:"recovered,omitempty"`
}

// AttVector is one attestation message and the verdict of the attestations
// topic's payload check on it.
type AttVector struct {
	Name         string     `json:"name"`
	Comment      string     `json:"comment"`
	AttesterName string     `json:"attester_name"`
	Attester     string     `json:"attester"`
	Payload      string     `json:"payload"`
	Fields       *AttFields `json:"fields,omitempty"`
	Envelope     string     `json:"envelope"`
	MessageID    string     `json:"message_id"`
	Result       string     `json:"result"`
	Reason       string     `json:"reason"`
	Error        string     `json:"error,omitempty"`
}

// CommitteeVector is whether observer sits in node's committee for window.
type CommitteeVector struct {
	Name          string  `json:"name"`
	Comment       string  `json:"comment"`
	Node          string  `json:"node"`
	Window        uint64  `json:"window"`
	Observer      string  `json:"observer"`
	Observers     int     `json:"observers"`
	CommitteeSize uint32  `json:"committee_size"`
	Hash          string  `json:"hash,omitempty"`
	HashModulo    *uint64 `json:"hash_mod_observers,omitempty"`
	InCommittee   bool    `json:"in_committee"`
}

// QuorumVector is the quorum of a report with observers observers.
type QuorumVector struct {
	Observers     int    `json:"observers"`
	CommitteeSize uint32 `json:"committee_size"`
	Committee     int    `json:"committee"`
	Quorum        int    `json:"quorum"`
}

// attVerdict is the attestations topic's payload check (docs/protocol.md):
// what accountability.Decode and Domain.Check refuse is rejected, except a
// window not over or past its deadline, which is ignored.
func attVerdict(d accountability.Domain, attester common.Address, payload []byte, at time.Time) (p2p.Result, string, error) {
	a, err := accountability.Decode(attester, payload)
	if err == nil {
		err = d.Check(a, at)
	}
	switch {
	case err == nil:
		return p2p.Accept, p2p.ReasonOK, nil
	case errors.Is(err, accountability.ErrStale), errors.Is(err, accountability.ErrFuture):
		return p2p.Ignore, p2p.ReasonIgnoredPayload, err
	}
	return p2p.Reject, p2p.ReasonBadPayload, err
}

func attestations() (any, error) {
	params := chain.DefaultAccountability
	d := accountability.Domain{ChainID: big.NewInt(chain.DevnetChainID), Registry: chain.DevnetRegistry, Params: params}
	cfg := p2p.DefaultValidatorConfig(network)
	cfg.Now = func() time.Time { return now }
	envCap := cfg.MaxSize[p2p.TopicAttestations]
	secs := func(t time.Duration) uint64 { return uint64(t / time.Second) }
	cur := d.Window(now)

	devnetNode := func(i int) *key {
		return seededKey(fmt.Sprint("devnet_node", i), fmt.Sprintf("validator/devnet/node/%d", i), false, true)
	}
	node1, node2 := devnetNode(1), devnetNode(2)
	dave := newKey("dave", false, true)
	attKeys := []*key{node1, node2, alice, bob, carol, dave}
	var ms []p2p.Member
	f := AttestationFile{
		Description: "Offline attestation conformance vectors (docs/protocol.md, section 9). Each attestation is the payload " +
			"RLP [node, window, offlineSeconds, signature] of a message on the attestations topic, sent in a valid envelope " +
			"(envelope, signed at now_ms by the attester, who is its sender) to a node on network with the listed members " +
			"registered, chain_id, registry and params, and its clock at now_ms (window now_window). fields, where the payload " +
			"decodes, give what it encodes, the window's start, end and report deadline (Unix seconds), abi_encoded = " +
			"abi.encode(domain, chain_id, registry, node, window, offline_seconds), digest = keccak256(abi_encoded) (raw: no " +
			"EIP-191 prefix), and the address the signature recovers to where it recovers. result and reason are the payload " +
			"check's verdict (accept/ok, reject/bad_payload or ignore/ignored_payload); error is the Go error text, for " +
			"information. committees say whether observer sits in node's committee for window with observers possible " +
			"observers (hash = keccak256(abi.encode(committee_domain, chain_id, registry, node, window, observer)), given " +
			"where the sortition applies); quorums are the attestations a report needs. Keys are keccak256(seed). Hex is " +
			"0x-prefixed. Generated by internal/vectorgen (go generate ./...); do not edit.",
		DomainTag:          "validator.NodeRegistry.offline.v1",
		Domain:             chain.AttestDomain.Hex(),
		CommitteeDomainTag: "validator.NodeRegistry.committee.v1",
		CommitteeDomain:    chain.CommitteeDomain.Hex(),
		ChainID:            chain.DevnetChainID,
		Registry:           chain.DevnetRegistry.Hex(),
		Params: AttestationParams{
			ReportWindow: secs(params.ReportWindow), OfflineThreshold: secs(params.OfflineThreshold),
			ReportDeadline: secs(params.ReportDeadline), JailPeriod: secs(params.JailPeriod),
			SlashBps: params.SlashBps, CommitteeSize: params.CommitteeSize,
		},
		Network: network, Topic: p2p.TopicAttestations, EnvelopeMaxBytes: envCap,
		MaxPayload: accountability.MaxPayload, NowMs: uint64(now.UnixMilli()), NowWindow: cur,
		Keys: map[string]string{},
	}
	if chain.AttestDomain != ethcrypto.Keccak256Hash([]byte(f.DomainTag)) {
		return nil, fmt.Errorf("AttestDomain is not keccak256(%q)", f.DomainTag)
	}
	if chain.CommitteeDomain != ethcrypto.Keccak256Hash([]byte(f.CommitteeDomainTag)) {
		return nil, fmt.Errorf("CommitteeDomain is not keccak256(%q)", f.CommitteeDomainTag)
	}
	for _, k := range attKeys {
		f.Keys[k.name] = k.seed
		ms = append(ms, p2p.Member{ID: ethcrypto.PubkeyToAddress(k.k.PublicKey), PubKey: ethcrypto.FromECDSAPub(&k.k.PublicKey)})
		f.Members = append(f.Members, Member{Name: k.name, Address: k.address(), PublicKey: hexutil.Encode(ethcrypto.FromECDSAPub(&k.k.PublicKey))})
	}
	val, err := p2p.NewValidator(p2p.NewStaticMembership(ms...), cfg)
	if err != nil {
		return nil, fmt.Errorf("validator: %w", err)
	}

	addr := func(k *key) common.Address { return ethcrypto.PubkeyToAddress(k.k.PublicKey) }
	sign := func(k *key, chainID *big.Int, registry, node common.Address, w, off uint64) []byte {
		s, err := chain.SignAttestation(k.k, chainID, registry, node, w, off)
		if err != nil {
			panic(err) // fixed, valid inputs
		}
		return s
	}
	type body struct { // the payload's fields
		Node           common.Address
		Window         uint64
		OfflineSeconds uint64
		Signature      []byte
	}
	rlpOf := func(v any) []byte {
		b, err := rlp.EncodeToBytes(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	// signed is the payload of k's attestation, signed by signer over the
	// digest of chainID and registry, its signature passed through mod.
	signed := func(signer *key, chainID *big.Int, registry, node common.Address, w, off uint64, mod func([]byte) []byte) []byte {
		s := sign(signer, chainID, registry, node, w, off)
		if mod != nil {
			s = mod(s)
		}
		return rlpOf(body{node, w, off, s})
	}
	devnet := d.ChainID
	ok := func(signer *key, node common.Address, w, off uint64) []byte {
		return signed(signer, devnet, chain.DevnetRegistry, node, w, off, nil)
	}
	n := ethcrypto.S256().Params().N
	highS := func(s []byte) []byte {
		new(big.Int).Sub(n, new(big.Int).SetBytes(s[32:64])).FillBytes(s[32:64])
		s[64] = 27 + 28 - s[64]
		return s
	}
	last := cur - 1
	window := secs(params.ReportWindow)
	threshold := secs(params.OfflineThreshold)
	deadlineWindows := secs(params.ReportDeadline) / window
	n1 := addr(node1)
	worked := ok(node2, n1, last, 900)
	type spec struct {
		name, comment string
		attester      *key
		payload       []byte
	}
	specs := []spec{
		{"valid_worked_example", "the worked example of section 9: devnet node 2 attests devnet node 1 offline 900 s in the window that ended at now", node2, worked},
		{"valid_threshold_exact", "exactly offlineThreshold seconds", alice, ok(alice, n1, last, threshold)},
		{"valid_whole_window", "offline the whole window: reportWindow seconds, the most", bob, ok(bob, n1, last, window)},
		{"valid_other_node", "carol attests dave", carol, ok(carol, addr(dave), last, 1800)},
		{"valid_deadline_edge", fmt.Sprintf("the oldest window still reportable at now: it ended %d s before now, exactly reportDeadline", secs(params.ReportDeadline)),
			dave, ok(dave, n1, cur-deadlineWindows-1, 1200)},
		{"bad_payload_not_rlp", "text, not RLP", alice, []byte("hello")},
		{"bad_payload_empty", "an empty payload", alice, []byte{}},
		{"bad_payload_trailing_byte", "valid_threshold_exact's payload followed by 0x80", alice, append(ok(alice, n1, last, threshold), 0x80)},
		{"bad_payload_five_fields", "[node, window, offlineSeconds, signature, \"x\"]", alice,
			rlpOf([]any{n1, last, threshold, sign(alice, devnet, chain.DevnetRegistry, n1, last, threshold), "x"})},
		{"bad_payload_three_fields", "[node, window, offlineSeconds]: no signature", alice, rlpOf([]any{n1, last, threshold})},
		{"bad_payload_node_19_bytes", "a node of 19 bytes", alice,
			rlpOf([]any{n1[:19], last, threshold, sign(alice, devnet, chain.DevnetRegistry, n1, last, threshold)})},
		{"bad_payload_noncanonical_window", "the window written with a leading zero byte (0x8400077d8f instead of 0x83077d8f)", alice,
			noncanonicalWindow(n1, last, threshold, sign(alice, devnet, chain.DevnetRegistry, n1, last, threshold))},
		{"bad_payload_noncanonical_node_size", "the node's 20-byte string with a long-form size (0xb814 instead of 0x94)", alice,
			noncanonicalNodeSize(ok(alice, n1, last, threshold))},
		{"bad_payload_oversized", fmt.Sprintf("a 200-byte signature: the payload is over %d bytes", accountability.MaxPayload), alice,
			rlpOf(body{n1, last, threshold, bytes.Repeat([]byte{1}, 200)})},
		{"bad_payload_signature_64_bytes", "valid_threshold_exact's signature without v", alice,
			signed(alice, devnet, chain.DevnetRegistry, n1, last, threshold, func(s []byte) []byte { return s[:64] })},
		{"bad_payload_signature_66_bytes", "valid_threshold_exact's signature with a byte appended", alice,
			signed(alice, devnet, chain.DevnetRegistry, n1, last, threshold, func(s []byte) []byte { return append(s, 0) })},
		{"bad_payload_self", "devnet node 1 attests itself, validly signed", node1, ok(node1, n1, last, 900)},
		{"bad_payload_below_threshold", "offlineThreshold - 1 seconds, validly signed", alice, ok(alice, n1, last, threshold-1)},
		{"bad_payload_above_window", "reportWindow + 1 seconds, validly signed", alice, ok(alice, n1, last, window+1)},
		{"bad_payload_zero_seconds", "0 seconds, validly signed", alice, ok(alice, n1, last, 0)},
		{"bad_payload_other_key", "alice sends an attestation signed by bob's key", alice,
			ok(bob, n1, last, 900)},
		{"bad_payload_high_s", "valid signature with s replaced by n - s and v flipped: recovers alice, but s is high", alice,
			signed(alice, devnet, chain.DevnetRegistry, n1, last, 900, highS)},
		{"bad_payload_v_0_or_1", "alice's valid signature with v - 27 (0 or 1): the registry's ecrecover would take it, the topic does not", alice,
			signed(alice, devnet, chain.DevnetRegistry, n1, last, 900, func(s []byte) []byte { s[64] -= 27; return s })},
		{"bad_payload_v_29", "alice's valid signature with v = 29", alice,
			signed(alice, devnet, chain.DevnetRegistry, n1, last, 900, func(s []byte) []byte { s[64] = 29; return s })},
		{"bad_payload_eip191", "alice's key over the EIP-191 hash of the digest instead of the digest", alice,
			rlpOf(body{n1, last, 900, eip191Sign(alice, chain.AttestDigest(devnet, chain.DevnetRegistry, n1, last, 900))})},
		{"bad_payload_other_chain", "signed for chain ID 1", alice, signed(alice, big.NewInt(1), chain.DevnetRegistry, n1, last, 900, nil)},
		{"bad_payload_other_registry", "signed for registry 0x…aa", alice,
			signed(alice, devnet, common.HexToAddress("0x00000000000000000000000000000000000000aa"), n1, last, 900, nil)},
		{"bad_payload_other_seconds", "signed for 900 s, says 1000 s", alice,
			rlpOf(body{n1, last, 1000, sign(alice, devnet, chain.DevnetRegistry, n1, last, 900)})},
		{"bad_payload_self_future", "a self-attestation of the current window: the self check comes before the window checks", node1, ok(node1, n1, cur, 900)},
		{"ignored_payload_future", "the current window, not over until now + reportWindow: a peer whose clock is ahead sends it", alice, ok(alice, n1, cur, 900)},
		{"ignored_payload_far_future", "a window 1,000 windows ahead", alice, ok(alice, n1, cur+1000, 900)},
		{"ignored_payload_stale", "the window before valid_deadline_edge's: its deadline passed reportWindow seconds ago", alice,
			ok(alice, n1, cur-deadlineWindows-2, 900)},
		{"ignored_payload_stale_bad_signature", "a stale window with another key's signature: the window checks come before the signature", alice,
			ok(bob, n1, cur-deadlineWindows-2, 900)},
	}
	vs := map[byte]bool{}
	for _, s := range specs {
		a := addr(s.attester)
		env, err := p2p.SignEnvelope(s.attester.k, network, p2p.TopicAttestations, s.payload, now)
		if err != nil {
			return nil, fmt.Errorf("vector %s: sign envelope: %w", s.name, err)
		}
		data, err := p2p.EncodeEnvelope(env)
		if err != nil {
			return nil, fmt.Errorf("vector %s: encode envelope: %w", s.name, err)
		}
		if ev := val.ValidateGossip(p2p.TopicAttestations, data); ev.Reason != p2p.ReasonOK {
			return nil, fmt.Errorf("vector %s: the envelope is %s/%s, every vector's envelope is meant to be valid", s.name, ev.Result, ev.Reason)
		}
		if len(data) > envCap {
			return nil, fmt.Errorf("vector %s: the envelope is %d bytes, over the topic's cap %d", s.name, len(data), envCap)
		}
		res, reason, cerr := attVerdict(d, a, s.payload, now)
		if want := intendedAtt(s.name); reason != want {
			return nil, fmt.Errorf("vector %s: the payload check says %s/%s (%v), the vector is meant to be %s", s.name, res, reason, cerr, want)
		}
		v := AttVector{
			Name: s.name, Comment: s.comment, AttesterName: s.attester.name, Attester: a.Hex(),
			Payload: hexutil.Encode(s.payload), Envelope: hexutil.Encode(data),
			MessageID: hexutil.Encode([]byte(p2p.MessageID(data))), Result: res.String(), Reason: reason,
		}
		if cerr != nil {
			v.Error = cerr.Error()
		}
		var b body
		if len(s.payload) <= accountability.MaxPayload && rlp.DecodeBytes(s.payload, &b) == nil {
			v.Fields = attFields(d, b.Node, b.Window, b.OfflineSeconds, b.Signature)
			if reason == p2p.ReasonOK {
				vs[b.Signature[64]] = true
			}
		}
		f.Attestations = append(f.Attestations, v)
	}
	if !vs[27] || !vs[28] {
		return nil, fmt.Errorf("the valid attestations have v %v; the vectors need both 27 and 28", vs)
	}

	committees, err := committeeVectors(d, n1, last)
	if err != nil {
		return nil, err
	}
	f.Committees = committees
	for _, q := range []struct {
		observers int
		size      uint32
	}{{1, 128}, {2, 128}, {3, 128}, {4, 128}, {5, 128}, {6, 128}, {7, 128}, {127, 128}, {128, 128}, {129, 128}, {1000, 128}, {9999, 128}, {3, 4}, {10, 4}, {10, 5}} {
		f.Quorums = append(f.Quorums, QuorumVector{
			Observers: q.observers, CommitteeSize: q.size, Committee: min(q.observers, int(q.size)),
			Quorum: chain.Quorum(q.observers, q.size),
		})
	}
	return f, nil
}

// attFields describes a decoded attestation payload.
func attFields(d accountability.Domain, node common.Address, w, off uint64, sig []byte) *AttFields {
	enc := append(append(append(append(append(bytes.Clone(chain.AttestDomain[:]), common.LeftPadBytes(d.ChainID.Bytes(), 32)...),
		common.LeftPadBytes(d.Registry[:], 32)...), common.LeftPadBytes(node[:], 32)...),
		common.LeftPadBytes(new(big.Int).SetUint64(w).Bytes(), 32)...), common.LeftPadBytes(new(big.Int).SetUint64(off).Bytes(), 32)...)
	digest := chain.AttestDigest(d.ChainID, d.Registry, node, w, off)
	if ethcrypto.Keccak256Hash(enc) != digest {
		panic("AttestDigest is not keccak256 of the abi encoding")
	}
	f := &AttFields{
		Node: node.Hex(), Window: w, OfflineSeconds: off, Signature: hexutil.Encode(sig),
		WindowStart: uint64(d.Start(w).Unix()), WindowEnd: uint64(d.End(w).Unix()), Deadline: uint64(d.Deadline(w).Unix()),
		Encoded: hexutil.Encode(enc), Digest: digest.Hex(),
	}
	if len(sig) == 65 && (sig[64] == 27 || sig[64] == 28) {
		rs := append(bytes.Clone(sig[:64]), sig[64]-27)
		if pub, err := ethcrypto.SigToPub(digest[:], rs); err == nil {
			f.Recovered = ethcrypto.PubkeyToAddress(*pub).Hex()
		}
	}
	return f
}

// committeeVectors shows the sortition: everyone while observers <=
// committeeSize, else those whose hash modulo observers is below it, and
// never the node itself.
func committeeVectors(d accountability.Domain, node common.Address, w uint64) ([]CommitteeVector, error) {
	observer := func(i int) common.Address {
		return ethcrypto.PubkeyToAddress(seededKey("", fmt.Sprintf("validator/vectors/observer/%d", i), false, false).k.PublicKey)
	}
	var out []CommitteeVector
	add := func(name, comment string, obs common.Address, observers int, size uint32) {
		in := chain.InCommittee(d.ChainID, d.Registry, node, w, obs, observers, size)
		v := CommitteeVector{
			Name: name, Comment: comment, Node: node.Hex(), Window: w, Observer: obs.Hex(),
			Observers: observers, CommitteeSize: size, InCommittee: in,
		}
		if obs != node && observers > int(size) {
			enc := committeeEncoded(d.ChainID, d.Registry, node, w, obs)
			h := new(big.Int).SetBytes(ethcrypto.Keccak256(enc))
			v.Hash = hexutil.Encode(ethcrypto.Keccak256(enc))
			m := new(big.Int).Mod(h, big.NewInt(int64(observers))).Uint64()
			v.HashModulo = &m
		}
		out = append(out, v)
	}
	add("all_observers", "4 observers, committees of 128: every observer is in", observer(1), 4, 128)
	add("all_observers_at_size", "128 observers, committees of 128: every observer is in", observer(1), 128, 128)
	add("self_never", "the node is never in its own committee", node, 4, 128)
	// Sortition: 1,000 observers, committees of 128; and 10 observers,
	// committees of 4. Take the first observers in and out of each.
	for _, c := range []struct {
		observers int
		size      uint32
	}{{1000, 128}, {10, 4}} {
		in, outN := 0, 0
		for i := 1; i <= 200 && (in < 3 || outN < 3); i++ {
			o := observer(i)
			got := chain.InCommittee(d.ChainID, d.Registry, node, w, o, c.observers, c.size)
			switch {
			case got && in < 3:
				in++
				add(fmt.Sprintf("sortition_%d_of_%d_in_%d", c.size, c.observers, in), fmt.Sprintf("observer %d: hash mod %d < %d", i, c.observers, c.size), o, c.observers, c.size)
			case !got && outN < 3:
				outN++
				add(fmt.Sprintf("sortition_%d_of_%d_out_%d", c.size, c.observers, outN), fmt.Sprintf("observer %d: hash mod %d >= %d", i, c.observers, c.size), o, c.observers, c.size)
			}
		}
		if in < 3 || outN < 3 {
			return nil, fmt.Errorf("committee vectors: %d in, %d out of %d observers' committees of %d", in, outN, c.observers, c.size)
		}
	}
	// The edge: hash mod observers equal to committeeSize is out.
	for i := 1; ; i++ {
		o := observer(i)
		h := new(big.Int).SetBytes(ethcrypto.Keccak256(committeeEncoded(d.ChainID, d.Registry, node, w, o)))
		if h.Mod(h, big.NewInt(10)).Int64() == 4 {
			add("sortition_4_of_10_edge", fmt.Sprintf("observer %d: hash mod 10 = 4, not below 4: out", i), o, 10, 4)
			break
		}
	}
	return out, nil
}

// committeeEncoded is abi.encode(COMMITTEE_DOMAIN, chainID, registry, node,
// window, observer): six 32-byte words.
func committeeEncoded(chainID *big.Int, registry, node common.Address, w uint64, observer common.Address) []byte {
	out := bytes.Clone(chain.CommitteeDomain[:])
	out = append(out, common.LeftPadBytes(chainID.Bytes(), 32)...)
	out = append(out, common.LeftPadBytes(registry[:], 32)...)
	out = append(out, common.LeftPadBytes(node[:], 32)...)
	out = append(out, common.LeftPadBytes(new(big.Int).SetUint64(w).Bytes(), 32)...)
	return append(out, common.LeftPadBytes(observer[:], 32)...)
}

// noncanonicalWindow is the payload with the window written with one leading
// zero byte.
func noncanonicalWindow(node common.Address, w, off uint64, sig []byte) []byte {
	enc := func(v any) []byte {
		b, err := rlp.EncodeToBytes(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	wb := new(big.Int).SetUint64(w).Bytes()
	win := append([]byte{0x80 + byte(len(wb)+1), 0}, wb...)
	items := append(append(append(enc(node), win...), enc(off)...), enc(sig)...)
	return append(listHeader(len(items)), items...)
}

// noncanonicalNodeSize rewrites payload's node (its first item, 0x94 and 20
// bytes) with the long form of its size.
func noncanonicalNodeSize(payload []byte) []byte {
	var items []byte
	_, content, _, err := rlp.Split(payload)
	if err != nil || content[0] != 0x94 {
		panic("noncanonicalNodeSize: not an attestation payload")
	}
	items = append(append([]byte{0xb8, 20}, content[1:21]...), content[21:]...)
	return append(listHeader(len(items)), items...)
}

// eip191Sign signs the EIP-191 hash of digest with k, v 27/28: what
// signMessage of the digest's bytes makes.
func eip191Sign(k *key, digest common.Hash) []byte {
	h := ethcrypto.Keccak256(append([]byte("\x19Ethereum Signed Message:\n32"), digest[:]...))
	s, err := ethcrypto.Sign(h, k.k)
	if err != nil {
		panic(err)
	}
	s[64] += 27
	return s
}

// intendedAtt is the reason an attestation vector is made to show, from its
// name.
func intendedAtt(name string) string {
	switch {
	case strings.HasPrefix(name, "valid_"):
		return p2p.ReasonOK
	case strings.HasPrefix(name, p2p.ReasonBadPayload):
		return p2p.ReasonBadPayload
	case strings.HasPrefix(name, p2p.ReasonIgnoredPayload):
		return p2p.ReasonIgnoredPayload
	}
	return "(no reason in the name)"
}
