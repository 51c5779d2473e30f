package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Key layout. Every key starts with one byte naming the record kind. Evidence
// keys continue with the node ID and a big-endian, order-preserving timestamp,
// so that one peer's records in a time range are one contiguous key range.
//
//	meta        0x00 name
//	transition  0x01 peer(20) at(8) from(1) to(1)
//	summary     0x02 peer(20) start(8)
//	peer        0x03 peer(20)
//	addr        0x04 peer(20)
//	attestation 0x05 window(8) node(20) attester(20)
//	submission  0x06 window(8) node(20)
//
// A transition's key carries its states so that two different transitions at
// the same instant do not overwrite each other, while writing the same one
// twice is idempotent. A summary is identified by its interval start.
//
// Accountability records lead with the big-endian report window, so that all
// records of the windows from some window on (restart recovery, the reports
// API) and of the windows before it (pruning) are one contiguous key range;
// one node's attestations in one window are one prefix, ordered by attester.
// Adding these kinds needed no schema version change: the schema check reads
// only the schema key, and every reader iterates its own prefix, so a binary
// that predates them opens a store that holds them and ignores them.
const (
	prefixMeta        byte = 0x00
	prefixTransition  byte = 0x01
	prefixSummary     byte = 0x02
	prefixPeer        byte = 0x03
	prefixAddr        byte = 0x04
	prefixAttestation byte = 0x05
	prefixSubmission  byte = 0x06
)

const (
	addrLen           = common.AddressLength
	transitionKeyLen  = 1 + addrLen + 8 + 2
	summaryKeyLen     = 1 + addrLen + 8
	peerKeyLen        = 1 + addrLen
	attestationKeyLen = 1 + 8 + 2*addrLen
	submissionKeyLen  = 1 + 8 + addrLen
)

// valueFormat is the first byte of every value. A change of layout bumps the
// schema version; this byte lets a decoder notice a value it does not know.
const valueFormat byte = 1

var schemaKey = []byte{prefixMeta, 's', 'c', 'h', 'e', 'm', 'a'}

// Times are stored as Unix nanoseconds, so they must lie in the int64 range
// (years 1678 to 2262). The smallest int64 is reserved for the zero time.
var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

const zeroTimeNanos = math.MinInt64

func checkTime(what string, t time.Time, zeroOK bool) error {
	if t.IsZero() {
		if zeroOK {
			return nil
		}
		return fmt.Errorf("%s is zero", what)
	}
	if t.Before(minTime) || t.After(maxTime) {
		return fmt.Errorf("%s %s is outside the storable range", what, t)
	}
	return nil
}

func timeNanos(t time.Time) int64 {
	if t.IsZero() {
		return zeroTimeNanos
	}
	return t.UnixNano()
}

func nanosTime(n int64) time.Time {
	if n == zeroTimeNanos {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// keyTime encodes t so that byte order is time order (sign bit flipped).
func keyTime(t time.Time) uint64 { return uint64(t.UnixNano()) ^ (1 << 63) }

func keyTimeDecode(u uint64) time.Time { return time.Unix(0, int64(u^(1<<63))) }

func peerPrefix(prefix byte, peer common.Address) []byte {
	k := make([]byte, 1+addrLen, summaryKeyLen+2)
	k[0] = prefix
	copy(k[1:], peer[:])
	return k
}

// rangeStart is the first key of a peer's records of one kind at or after t.
func rangeStart(prefix byte, peer common.Address, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(peerPrefix(prefix, peer), keyTime(t))
}

func transitionKey(tr Transition) []byte {
	k := rangeStart(prefixTransition, tr.Peer, tr.At)
	return append(k, byte(tr.From), byte(tr.To))
}

func summaryKey(s Summary) []byte { return rangeStart(prefixSummary, s.Peer, s.Start) }

func peerKey(p common.Address) []byte { return peerPrefix(prefixPeer, p) }

func addrKey(p common.Address) []byte { return peerPrefix(prefixAddr, p) }

// windowStart is the first key of a kind keyed by window at window w.
func windowStart(prefix byte, w uint64) []byte {
	k := make([]byte, 1, attestationKeyLen)
	k[0] = prefix
	return binary.BigEndian.AppendUint64(k, w)
}

func attestationPrefix(w uint64, node common.Address) []byte {
	return append(windowStart(prefixAttestation, w), node[:]...)
}

func attestationKey(node common.Address, w uint64, attester common.Address) []byte {
	return append(attestationPrefix(w, node), attester[:]...)
}

func submissionKey(node common.Address, w uint64) []byte {
	return append(windowStart(prefixSubmission, w), node[:]...)
}

// keyWindow returns the window of an attestation or submission key.
func keyWindow(k []byte) uint64 { return binary.BigEndian.Uint64(k[1:9]) }

// keyAt returns the timestamp of an evidence key (of either kind).
func keyAt(k []byte) time.Time {
	return keyTimeDecode(binary.BigEndian.Uint64(k[1+addrLen:]))
}

// ErrCorrupt is returned (wrapped, naming the record) when a stored key or
// value cannot be decoded.
var ErrCorrupt = errors.New("corrupt record")

func corrupt(kind string, key []byte, err error) error {
	return fmt.Errorf("%w: %s %x: %v", ErrCorrupt, kind, key, err)
}

// Values: a format byte, then fields as varints (counts, durations) or fixed
// 8-byte big-endian words (absolute times, floats).

func encodeTransition(tr Transition) []byte {
	b := make([]byte, 0, 2+binary.MaxVarintLen16+len(tr.Reason))
	b = append(b, valueFormat)
	return appendString(b, tr.Reason)
}

func decodeTransition(key, val []byte) (Transition, error) {
	if len(key) != transitionKeyLen || key[0] != prefixTransition {
		return Transition{}, errors.New("malformed key")
	}
	tr := Transition{
		Peer: common.BytesToAddress(key[1 : 1+addrLen]),
		At:   keyAt(key),
		From: State(key[transitionKeyLen-2]),
		To:   State(key[transitionKeyLen-1]),
	}
	if !tr.From.valid() || !tr.To.valid() {
		return Transition{}, fmt.Errorf("unknown state %d -> %d", tr.From, tr.To)
	}
	d := decoder{b: val}
	d.format()
	tr.Reason = d.string()
	return tr, d.finish()
}

func encodeSummary(s Summary) []byte {
	b := make([]byte, 0, 48)
	b = append(b, valueFormat)
	b = binary.AppendUvarint(b, uint64(s.End.Sub(s.Start)))
	b = binary.AppendUvarint(b, uint64(s.PingsSent))
	b = binary.AppendUvarint(b, uint64(s.PingsAnswered))
	b = binary.AppendVarint(b, int64(s.RTTMin))
	b = binary.AppendVarint(b, int64(s.RTTMean))
	b = binary.AppendVarint(b, int64(s.RTTMax))
	b = binary.AppendVarint(b, int64(s.Offline))
	return binary.AppendUvarint(b, uint64(s.Rejected))
}

func decodeSummary(key, val []byte) (Summary, error) {
	if len(key) != summaryKeyLen || key[0] != prefixSummary {
		return Summary{}, errors.New("malformed key")
	}
	s := Summary{Peer: common.BytesToAddress(key[1 : 1+addrLen]), Start: keyAt(key)}
	d := decoder{b: val}
	d.format()
	length := d.uvarint()
	if length > math.MaxInt64 {
		d.fail("interval length overflows")
	}
	s.End = s.Start.Add(time.Duration(length))
	if s.End.After(maxTime) {
		d.fail("interval ends after the storable range")
	}
	s.PingsSent = d.uint32()
	s.PingsAnswered = d.uint32()
	s.RTTMin = time.Duration(d.varint())
	s.RTTMean = time.Duration(d.varint())
	s.RTTMax = time.Duration(d.varint())
	s.Offline = time.Duration(d.varint())
	s.Rejected = d.uint32()
	return s, d.finish()
}

func encodePeer(p PeerRecord) []byte {
	b := make([]byte, 0, 2+3*8)
	b = append(b, valueFormat, byte(p.State))
	b = binary.BigEndian.AppendUint64(b, uint64(timeNanos(p.Since)))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(p.Score))
	return binary.BigEndian.AppendUint64(b, uint64(timeNanos(p.UpdatedAt)))
}

func decodePeer(key, val []byte) (PeerRecord, error) {
	if len(key) != peerKeyLen || key[0] != prefixPeer {
		return PeerRecord{}, errors.New("malformed key")
	}
	p := PeerRecord{Peer: common.BytesToAddress(key[1:])}
	d := decoder{b: val}
	d.format()
	p.State = State(d.byte())
	if d.err == nil && !p.State.valid() {
		d.fail(fmt.Sprintf("unknown state %d", p.State))
	}
	p.Since = nanosTime(int64(d.uint64()))
	p.Score = math.Float64frombits(d.uint64())
	p.UpdatedAt = nanosTime(int64(d.uint64()))
	return p, d.finish()
}

func encodeAddr(a AddrRecord) []byte {
	n := 1 + len(a.PeerID) + len(a.Version) + 8 + 3*binary.MaxVarintLen32
	for _, s := range a.Addrs {
		n += binary.MaxVarintLen32 + len(s)
	}
	b := make([]byte, 0, n)
	b = append(b, valueFormat)
	b = appendString(b, a.PeerID)
	b = binary.AppendUvarint(b, uint64(len(a.Addrs)))
	for _, s := range a.Addrs {
		b = appendString(b, s)
	}
	b = appendString(b, a.Version)
	return binary.BigEndian.AppendUint64(b, uint64(timeNanos(a.Seen)))
}

func decodeAddr(key, val []byte) (AddrRecord, error) {
	if len(key) != peerKeyLen || key[0] != prefixAddr {
		return AddrRecord{}, errors.New("malformed key")
	}
	a := AddrRecord{Peer: common.BytesToAddress(key[1:])}
	d := decoder{b: val}
	d.format()
	a.PeerID = d.string()
	n := d.uvarint()
	if n > uint64(len(d.b)) { // every address takes at least one byte
		d.fail("address count exceeds value length")
	}
	if d.err == nil && n > 0 {
		a.Addrs = make([]string, n)
		for i := range a.Addrs {
			a.Addrs[i] = d.string()
		}
	}
	a.Version = d.string()
	a.Seen = nanosTime(int64(d.uint64()))
	return a, d.finish()
}

func encodeAttestation(a AttestationRecord) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+AttestationSignatureLen+8)
	b = append(b, valueFormat)
	b = binary.AppendUvarint(b, a.OfflineSeconds)
	b = append(b, a.Signature...)
	return binary.BigEndian.AppendUint64(b, uint64(timeNanos(a.Received)))
}

func decodeAttestation(key, val []byte) (AttestationRecord, error) {
	if len(key) != attestationKeyLen || key[0] != prefixAttestation {
		return AttestationRecord{}, errors.New("malformed key")
	}
	a := AttestationRecord{
		Window:   keyWindow(key),
		Node:     common.BytesToAddress(key[1+8 : 1+8+addrLen]),
		Attester: common.BytesToAddress(key[1+8+addrLen:]),
	}
	d := decoder{b: val}
	d.format()
	a.OfflineSeconds = d.uvarint()
	a.Signature = d.bytes(AttestationSignatureLen)
	a.Received = nanosTime(int64(d.uint64()))
	return a, d.finish()
}

func encodeSubmission(r SubmissionRecord) []byte {
	code, _ := submissionStateCode(r.State)
	b := make([]byte, 0, 2+common.HashLength+8+binary.MaxVarintLen16+len(r.Err))
	b = append(b, valueFormat, code)
	b = append(b, r.TxHash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(timeNanos(r.At)))
	return appendString(b, r.Err)
}

func decodeSubmission(key, val []byte) (SubmissionRecord, error) {
	if len(key) != submissionKeyLen || key[0] != prefixSubmission {
		return SubmissionRecord{}, errors.New("malformed key")
	}
	r := SubmissionRecord{Window: keyWindow(key), Node: common.BytesToAddress(key[1+8:])}
	d := decoder{b: val}
	d.format()
	if code := d.byte(); d.err == nil {
		if code == 0 || int(code) >= len(submissionStates) {
			d.fail(fmt.Sprintf("unknown submission state %d", code))
		} else {
			r.State = submissionStates[code]
		}
	}
	r.TxHash = common.BytesToHash(d.bytes(common.HashLength))
	r.At = nanosTime(int64(d.uint64()))
	r.Err = d.string()
	return r, d.finish()
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// uvarintLen is the length of v's shortest encoding; the decoder accepts no
// other, so every record has exactly one encoding.
func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// decoder reads a value; the first error sticks and later reads return zero.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = errors.New(msg)
	}
	d.b = nil
}

func (d *decoder) format() {
	if f := d.byte(); d.err == nil && f != valueFormat {
		d.fail(fmt.Sprintf("unknown value format %d", f))
	}
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.fail("truncated")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uint64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// bytes reads exactly n bytes (a copy).
func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.fail("truncated")
		return nil
	}
	v := append([]byte(nil), d.b[:n]...)
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != uvarintLen(v) {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 || n != uvarintLen(uint64(v)<<1^uint64(v>>63)) {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint32() uint32 {
	v := d.uvarint()
	if v > math.MaxUint32 {
		d.fail("count overflows uint32")
		return 0
	}
	return uint32(v)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.fail("string length exceeds value")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%d trailing bytes", len(d.b))
	}
	return d.err
}
