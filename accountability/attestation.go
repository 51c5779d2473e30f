// Package accountability turns liveness evidence into on-chain consequences.
// At the end of each report window a node signs, from its own evidence only,
// an attestation for each peer it saw offline at least the registry's
// threshold and whose committee it sits in; attestations travel on the
// attestations gossip topic and are kept in the store; once a committee's
// quorum has attested, one attester (in a deterministic order with back-off)
// submits the report to the NodeRegistry, which jails and slashes the node.
// It imports neither libp2p nor Badger: the node layer adapts the p2p
// service, the store and the chain to its interfaces.
package accountability

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"validator/chain"
)

// Attestation is one observer's signed statement that Node was offline for
// OfflineSeconds in report window Window.
type Attestation struct {
	Node           common.Address
	Window         uint64
	Attester       common.Address
	OfflineSeconds uint64
	// Signature is the attester's node key's [r || s || v] signature (v 27
	// or 28, low s) over chain.AttestDigest.
	Signature []byte
}

// SignatureLen is the length of an attestation's signature: r || s || v.
const SignatureLen = 65

// MaxPayload bounds an attestation's gossip payload: an RLP list of a
// 20-byte address, two uint64 and a 65-byte signature is 99 bytes.
const MaxPayload = 128

// payload is the gossip encoding: RLP [node, window, offlineSeconds,
// signature]. The attester is the envelope's sender.
type payload struct {
	Node           common.Address
	Window         uint64
	OfflineSeconds uint64
	Signature      []byte
}

// Encode is a's gossip payload.
func Encode(a Attestation) []byte {
	b, err := rlp.EncodeToBytes(payload{a.Node, a.Window, a.OfflineSeconds, a.Signature})
	if err != nil {
		panic(err) // fixed types; cannot fail
	}
	return b
}

// Errors of Decode and Domain.Check. ErrStale and ErrFuture are the only ones
// an honest peer can cause (its clock, or a message delayed past the report
// deadline); the rest mean the sender or a forwarder misbehaved.
var (
	ErrMalformed    = errors.New("malformed attestation")
	ErrBadSignature = errors.New("attestation signature does not verify against the attester's key")
	ErrSelf         = errors.New("attestation about its own attester")
	ErrThreshold    = errors.New("offline seconds outside [threshold, window]")
	ErrStale        = errors.New("attestation window past the report deadline")
	ErrFuture       = errors.New("attestation window not over")
)

// Decode parses an attestation payload sent by attester.
func Decode(attester common.Address, b []byte) (Attestation, error) {
	if len(b) > MaxPayload {
		return Attestation{}, fmt.Errorf("%w: %d bytes, at most %d", ErrMalformed, len(b), MaxPayload)
	}
	var p payload
	if err := rlp.DecodeBytes(b, &p); err != nil {
		return Attestation{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(p.Signature) != SignatureLen {
		return Attestation{}, fmt.Errorf("%w: signature of %d bytes, want %d", ErrMalformed, len(p.Signature), SignatureLen)
	}
	return Attestation{Node: p.Node, Window: p.Window, Attester: attester, OfflineSeconds: p.OfflineSeconds, Signature: p.Signature}, nil
}

// Domain is what binds attestations to one registry: its chain, address and
// accountability parameters.
type Domain struct {
	ChainID  *big.Int
	Registry common.Address
	Params   chain.Accountability
}

// Window is the report window that contains t.
func (d Domain) Window(t time.Time) uint64 { return chain.WindowAt(t, d.Params.ReportWindow) }

// Start is when window w begins.
func (d Domain) Start(w uint64) time.Time { return chain.WindowStart(w, d.Params.ReportWindow) }

// End is when window w ends (the next one begins).
func (d Domain) End(w uint64) time.Time { return d.Start(w).Add(d.Params.ReportWindow) }

// Deadline is the last moment window w may be reported.
func (d Domain) Deadline(w uint64) time.Time { return d.End(w).Add(d.Params.ReportDeadline) }

// Threshold is the registry's offline threshold in whole seconds.
func (d Domain) Threshold() uint64 { return uint64(d.Params.OfflineThreshold / time.Second) }

// windowSeconds is the window's length in whole seconds.
func (d Domain) windowSeconds() uint64 { return uint64(d.Params.ReportWindow / time.Second) }

// Digest is the digest a's attester signs.
func (d Domain) Digest(a Attestation) common.Hash {
	return chain.AttestDigest(d.ChainID, d.Registry, a.Node, a.Window, a.OfflineSeconds)
}

// Check says whether the registry would count a as far as a alone can tell at
// time now: its window is over and not past the deadline, its offline seconds
// are within [threshold, window], it is not about its own attester, and its
// signature is the attester's (low s, v 27 or 28). Whether the attester is
// active and in the node's committee depends on the registry view and is
// checked where the quorum is counted.
func (d Domain) Check(a Attestation, now time.Time) error {
	switch {
	case a.Node == a.Attester:
		return ErrSelf
	case a.OfflineSeconds < d.Threshold() || a.OfflineSeconds > d.windowSeconds():
		return fmt.Errorf("%w: %d s, threshold %d s, window %d s", ErrThreshold, a.OfflineSeconds, d.Threshold(), d.windowSeconds())
	case now.Before(d.End(a.Window)):
		return fmt.Errorf("%w: window %d ends at %s", ErrFuture, a.Window, d.End(a.Window).Format(time.RFC3339))
	case now.After(d.Deadline(a.Window)):
		return fmt.Errorf("%w: window %d, deadline %s", ErrStale, a.Window, d.Deadline(a.Window).Format(time.RFC3339))
	}
	if !d.verify(a) {
		return ErrBadSignature
	}
	return nil
}

// verify checks a's signature the way the registry does: ecrecover of the
// digest with v in {27, 28} and s at most half the curve order.
func (d Domain) verify(a Attestation) bool {
	if len(a.Signature) != SignatureLen {
		return false
	}
	v := a.Signature[64]
	if v != 27 && v != 28 {
		return false
	}
	sig := make([]byte, SignatureLen)
	copy(sig, a.Signature)
	sig[64] = v - 27
	if !crypto.ValidateSignatureValues(sig[64], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64]), true) {
		return false
	}
	h := d.Digest(a)
	pub, err := crypto.SigToPub(h[:], sig)
	if err != nil {
		return false
	}
	return crypto.PubkeyToAddress(*pub) == a.Attester
}
