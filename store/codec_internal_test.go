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
	f.Add([]byte{})
	f.Add([]byte{valueFormat, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	tk := transitionKey(Transition{Peer: p, At: t0, From: Responsive, To: Offline})
	sk := summaryKey(Summary{Peer: p, Start: t0})
	f.Fuzz(func(t *testing.T, v []byte) {
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
