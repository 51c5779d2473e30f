package chain

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	regabi "validator/abi"
)

// AttestDomain is the domain tag of an offline attestation; it must match
// ATTEST_DOMAIN in contracts/NodeRegistry.sol.
var AttestDomain = crypto.Keccak256Hash([]byte("validator.NodeRegistry.offline.v1"))

// CommitteeDomain is the domain tag of the committee sortition; it must match
// COMMITTEE_DOMAIN in contracts/NodeRegistry.sol.
var CommitteeDomain = crypto.Keccak256Hash([]byte("validator.NodeRegistry.committee.v1"))

var attestArgs = abiArgs("bytes32", "uint256", "address", "address", "uint64", "uint64")

var committeeArgs = abiArgs("bytes32", "uint256", "address", "address", "uint64", "address")

// AttestDigest is the digest an observer's node key signs to attest that node
// was offline offlineSeconds seconds in report window window of the registry at
// registry on chain chainID: keccak256(abi.encode(AttestDomain, chainID,
// registry, node, window, offlineSeconds)).
func AttestDigest(chainID *big.Int, registry, node common.Address, window, offlineSeconds uint64) common.Hash {
	enc, err := attestArgs.Pack(AttestDomain, chainID, registry, node, window, offlineSeconds)
	if err != nil {
		panic(err) // static types; cannot fail
	}
	return crypto.Keccak256Hash(enc)
}

// SignAttestation signs an offline attestation with an observer's node key. The
// signature is [r || s || v] with v in {27, 28}, as the registry expects.
func SignAttestation(nodeKey *ecdsa.PrivateKey, chainID *big.Int, registry, node common.Address, window, offlineSeconds uint64) ([]byte, error) {
	d := AttestDigest(chainID, registry, node, window, offlineSeconds)
	sig, err := crypto.Sign(d[:], nodeKey)
	if err != nil {
		return nil, fmt.Errorf("sign attestation: %w", err)
	}
	sig[64] += 27
	return sig, nil
}

// Attestation is one observer's signed statement that a node was offline for
// OfflineSeconds in a report window.
type Attestation struct {
	Attester       common.Address
	OfflineSeconds uint64
	// Signature is the attester's node key's [r || s || v] signature (v 27 or
	// 28) over AttestDigest.
	Signature []byte
}

// Quorum is how many attestations a report needs when the reported node has
// observers other active nodes and committees are of committeeSize: more than
// two thirds of the committee's nominal size (every observer while there are
// no more than committeeSize). It mirrors the registry's rule.
func Quorum(observers int, committeeSize uint32) int {
	if observers <= 0 {
		return 1
	}
	c := min(observers, int(committeeSize))
	return 2*c/3 + 1
}

// InCommittee says whether observer is in node's committee for window when the
// network has observers possible observers (active nodes but node). It
// mirrors the registry's sortition: every observer while there are no more
// than committeeSize, else those whose keccak256(abi.encode(CommitteeDomain,
// chainID, registry, node, window, observer)) modulo observers is below
// committeeSize.
func InCommittee(chainID *big.Int, registry, node common.Address, window uint64, observer common.Address, observers int, committeeSize uint32) bool {
	if observer == node || observers <= 0 {
		return false
	}
	if observers <= int(committeeSize) {
		return true
	}
	enc, err := committeeArgs.Pack(CommitteeDomain, chainID, registry, node, window, observer)
	if err != nil {
		panic(err) // static types; cannot fail
	}
	h := new(big.Int).SetBytes(crypto.Keccak256(enc))
	return h.Mod(h, big.NewInt(int64(observers))).Cmp(big.NewInt(int64(committeeSize))) < 0
}

// WindowAt is the report window that contains t for windows of length w.
func WindowAt(t time.Time, w time.Duration) uint64 {
	if w <= 0 || t.Unix() < 0 {
		return 0
	}
	return uint64(t.Unix()) / uint64(w/time.Second)
}

// WindowStart is when report window window begins for windows of length w.
func WindowStart(window uint64, w time.Duration) time.Time {
	return time.Unix(int64(window*uint64(w/time.Second)), 0).UTC()
}

// ErrNoAttestations: a report needs at least one attestation.
var ErrNoAttestations = errors.New("report has no attestations")

// ReportOffline reports node offline in window with the given attestations,
// which it sorts by attester as the registry requires. The registry checks
// every one and the quorum; its custom error comes back on refusal.
func (t *Transactor) ReportOffline(ctx context.Context, node common.Address, window uint64, atts []Attestation) (Receipt, error) {
	if len(atts) == 0 {
		return Receipt{}, ErrNoAttestations
	}
	atts = slices.Clone(atts)
	slices.SortFunc(atts, func(a, b Attestation) int { return bytes.Compare(a.Attester[:], b.Attester[:]) })
	attesters := make([]common.Address, len(atts))
	secs := make([]uint64, len(atts))
	sigs := make([][]byte, len(atts))
	for i, a := range atts {
		attesters[i], secs[i], sigs[i] = a.Attester, a.OfflineSeconds, a.Signature
	}
	return t.send(ctx, "report offline", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.ReportOffline(o, node, window, attesters, secs, sigs)
	})
}

// Unjail returns a jailed node to the active set after its jail period,
// adding topUp (may be nil) to its stake, which must reach the minimum.
func (t *Transactor) Unjail(ctx context.Context, id common.Address, topUp *big.Int) (Receipt, error) {
	return t.send(ctx, "unjail", topUp, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.Unjail(o, id)
	})
}

// SweepSlashed sends the slashed stake the registry holds to its slash sink.
func (t *Transactor) SweepSlashed(ctx context.Context) (Receipt, error) {
	return t.send(ctx, "sweep slashed stake", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.SweepSlashed(o)
	})
}

// ReadReported says whether the registry at registry has node's offline
// report for window.
func ReadReported(ctx context.Context, backend Backend, registry, node common.Address, window uint64) (bool, error) {
	c, err := regabi.NewNodeRegistry(registry, backend)
	if err != nil {
		return false, err
	}
	ok, err := c.IsReported(&bind.CallOpts{Context: ctx}, node, window)
	if err != nil {
		return false, fmt.Errorf("isReported %s %d: %w", node, window, err)
	}
	return ok, nil
}
