package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzDecode feeds arbitrary values to every decoder: an error is fine, a
// panic is not, and whatever decodes must encode back to the same bytes.
func FuzzDecode(f *testing.F) {
	p := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	t0 := time.Unix(1_700_000_000, 5)
	f.Add(encodeSummary(Summary{Peer: p, Start: t0, End: t0.Add(time.Minute), PingsSent: 6, PingsAnswered: 5, RTTMin: 1, RTTMean: 2, RTTMax: 3, Offline: -4, Rejected: 7}))
	f.Add(encodeTransition(Transition{Reason: "rtt"}))
	f.Add(encodePeer(PeerRecord{State: Slow, Since: t0, Score: -0.5}))
	f.Add(encodeAddr(AddrRecord{PeerID: "16Uiu2", Addrs: []string{"/ip4/1.2.3.4/tcp/1", ""}, Version: "v1", Seen: t0}))
	sig := make([]byte, AttestationSignatureLen)
	sig[64] = 28
	f.Add(encodeAttestation(AttestationRecord{OfflineSeconds: 3600, Signature: sig, Received: t0}))
	f.Add(encodeSubmission(SubmissionRecord{State: SubmissionFailed, TxHash: common.Hash{1}, At: t0, Err: "nonce too low"}))
	f.Add([]byte{})
	f.Add([]byte{valueFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	tk := transitionKey(Transition{Peer: p, At: t0, From: Responsive, To: Offline})
	sk := summaryKey(Summary{Peer: p, Start: t0})
	ak, subk := attestationKey(p, 7, common.Address{2}), submissionKey(p, 7)
	f.Fuzz(func(t *testing.T, v []byte) {
		if a, err := decodeAttestation(ak, v); err == nil {
			if got := encodeAttestation(a); !reflect.DeepEqual(got, v) {
				t.Errorf("attestation %x re-encodes as %x", v, got)
			}
		}
		if r, err := decodeSubmission(subk, v); err == nil {
			if got := encodeSubmission(r); !reflect.DeepEqual(got, v) {
				t.Errorf("submission %x re-encodes as %x", v, got)
			}
		}
		if tr, err := decodeTransition(tk, v); err == nil {
			if got := encodeTransition(tr); !reflect.DeepEqual(got, v) {
				t.Errorf("transition %x re-encodes as %x", v, got)
			}
		}
		if sm, err := decodeSummary(sk, v); err == nil {
			if got := encodeSummary(sm); !reflect.DeepEqual(got, v) {
				t.Errorf("summary %x re-encodes as %x", v, got)
			}
		}
		if pr, err := decodePeer(peerKey(p), v); err == nil {
			if got := encodePeer(pr); !reflect.DeepEqual(got, v) {
				t.Errorf("peer %x re-encodes as %x", v, got)
			}
		}
		if a, err := decodeAddr(addrKey(p), v); err == nil {
			if got := encodeAddr(a); !reflect.DeepEqual(got, v) {
				t.Errorf("addr %x re-encodes as %x", v, got)
			}
		}
	})
}

// TestWindowKeyOrder checks that accountability keys sort by window first,
// then node, then attester, which the range queries and pruning rely on.
func TestWindowKeyOrder(t *testing.T) {
	lo, hi := common.Address{19: 1}, common.Address{0: 1}
	keys := [][]byte{
		attestationKey(hi, 0, hi),
		attestationKey(lo, 1, hi),
		attestationKey(lo, 255, lo),
		attestationKey(lo, 256, lo),
		attestationKey(hi, 256, lo),
		attestationKey(hi, 256, hi),
		attestationKey(lo, 1<<63, lo),
	}
	for i := 1; i < len(keys); i++ {
		if string(keys[i-1]) >= string(keys[i]) {
			t.Errorf("key %x does not sort before %x", keys[i-1], keys[i])
		}
	}
	if w := keyWindow(submissionKey(lo, 1<<40+3)); w != 1<<40+3 {
		t.Errorf("submission key window decodes as %d", w)
	}
}

func TestKeyTimeOrder(t *testing.T) {
	times := []time.Time{minTime, time.Unix(-1, 0), time.Unix(0, 0), time.Unix(0, 1), time.Unix(1_700_000_000, 0), maxTime}
	p := common.Address{1}
	for i := 1; i < len(times); i++ {
		a, b := string(rangeStart(prefixSummary, p, times[i-1])), string(rangeStart(prefixSummary, p, times[i]))
		if a >= b {
			t.Errorf("key of %s does not sort before key of %s", times[i-1], times[i])
		}
		if got := keyAt([]byte(b)); !got.Equal(times[i]) {
			t.Errorf("key time %s decodes as %s", times[i], got)
		}
	}
}
