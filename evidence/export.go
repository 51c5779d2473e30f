package evidence

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/store"
)

// Domain separates evidence signatures from every other use of the node key.
const Domain = "validator/evidence/v1"

// MaxRecords bounds the records of one report; a longer range is truncated
// (Truncated is set) and the caller asks again from the last record's time.
const MaxRecords = 5000

// Report is what one node observed of another over a time range.
type Report struct {
	Version     int            `json:"version"`
	Network     string         `json:"network"`
	Observer    common.Address `json:"observer"`
	Peer        common.Address `json:"peer"`
	From        time.Time      `json:"from"`
	To          time.Time      `json:"to"`
	GeneratedAt time.Time      `json:"generated_at"`
	State       string         `json:"state,omitempty"`
	Score       *float64       `json:"score,omitempty"`
	Transitions []Transition   `json:"transitions"`
	Summaries   []Summary      `json:"summaries"`
	Truncated   bool           `json:"truncated,omitempty"`
}

// Transition is a state change in a report.
type Transition struct {
	At     time.Time `json:"at"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason"`
}

// Summary is one interval in a report. Durations are in milliseconds.
type Summary struct {
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	PingsSent     uint32    `json:"pings_sent"`
	PingsAnswered uint32    `json:"pings_answered"`
	RTTMinMs      float64   `json:"rtt_min_ms"`
	RTTMeanMs     float64   `json:"rtt_mean_ms"`
	RTTMaxMs      float64   `json:"rtt_max_ms"`
	OfflineMs     int64     `json:"offline_ms"`
	Rejected      uint32    `json:"rejected"`
}

// Signed is a report with the observer's signature over its exact bytes:
// signature = sign(keccak256(Domain || report)) by the observer's node key, so
// anyone holding the registry can check who observed what.
type Signed struct {
	Report    json.RawMessage `json:"report"`
	Signature hexutil.Bytes   `json:"signature"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Build reads a peer's evidence in [from, to] from the store.
func Build(st *store.Store, network string, observer, peer common.Address, from, to time.Time) (Report, error) {
	if to.Before(from) {
		return Report{}, fmt.Errorf("evidence range: to %s is before from %s", to, from)
	}
	trs, err := st.Transitions(peer, from, to)
	if err != nil {
		return Report{}, fmt.Errorf("read transitions: %w", err)
	}
	sums, err := st.Summaries(peer, from, to)
	if err != nil {
		return Report{}, fmt.Errorf("read summaries: %w", err)
	}
	r := Report{
		Version: 1, Network: network, Observer: observer, Peer: peer,
		From: from.UTC(), To: to.UTC(), GeneratedAt: time.Now().UTC(),
		Transitions: []Transition{}, Summaries: []Summary{},
	}
	if len(trs)+len(sums) > MaxRecords {
		r.Truncated = true
		if len(trs) > MaxRecords/2 {
			trs = trs[:MaxRecords/2]
		}
		if len(sums) > MaxRecords-len(trs) {
			sums = sums[:MaxRecords-len(trs)]
		}
	}
	for _, t := range trs {
		r.Transitions = append(r.Transitions, Transition{At: t.At.UTC(), From: t.From.String(), To: t.To.String(), Reason: t.Reason})
	}
	for _, s := range sums {
		r.Summaries = append(r.Summaries, Summary{
			Start: s.Start.UTC(), End: s.End.UTC(), PingsSent: s.PingsSent, PingsAnswered: s.PingsAnswered,
			RTTMinMs: ms(s.RTTMin), RTTMeanMs: ms(s.RTTMean), RTTMaxMs: ms(s.RTTMax),
			OfflineMs: s.Offline.Milliseconds(), Rejected: s.Rejected,
		})
	}
	return r, nil
}

func digest(report []byte) []byte {
	return crypto.Keccak256(append([]byte(Domain), report...))
}

// Sign signs a report with the observer's node key; the key must be the
// report's observer.
func Sign(r Report, key *ecdsa.PrivateKey) (Signed, error) {
	if crypto.PubkeyToAddress(key.PublicKey) != r.Observer {
		return Signed{}, errors.New("sign evidence: key is not the report's observer")
	}
	b, err := json.Marshal(r)
	if err != nil {
		return Signed{}, fmt.Errorf("encode evidence: %w", err)
	}
	sig, err := crypto.Sign(digest(b), key)
	if err != nil {
		return Signed{}, fmt.Errorf("sign evidence: %w", err)
	}
	return Signed{Report: b, Signature: sig}, nil
}

// ErrBadEvidence: the signature does not match the report's observer.
var ErrBadEvidence = errors.New("evidence signature does not match its observer")

// Verify checks a signed report and returns it.
func Verify(s Signed) (Report, error) {
	if len(s.Signature) != 65 {
		return Report{}, fmt.Errorf("%w: signature is %d bytes", ErrBadEvidence, len(s.Signature))
	}
	pub, err := crypto.SigToPub(digest(s.Report), s.Signature)
	if err != nil {
		return Report{}, fmt.Errorf("%w: %v", ErrBadEvidence, err)
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(s.Report))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Report{}, fmt.Errorf("decode evidence: %w", err)
	}
	if signer := crypto.PubkeyToAddress(*pub); signer != r.Observer {
		return Report{}, fmt.Errorf("%w: signed by %s, observer %s", ErrBadEvidence, signer, r.Observer)
	}
	return r, nil
}

// Query asks a peer for its view of a third peer (the evidence protocol).
type Query struct {
	Peer common.Address `json:"peer"`
	From time.Time      `json:"from"`
	To   time.Time      `json:"to"`
}

// Protocol limits of the evidence query.
const (
	MaxQuerySize  = 256
	MaxReportSize = 2 << 20
)

// DecodeQuery parses and bounds a query from the network.
func DecodeQuery(b []byte) (Query, error) {
	if len(b) > MaxQuerySize {
		return Query{}, fmt.Errorf("evidence query of %d bytes exceeds %d", len(b), MaxQuerySize)
	}
	var q Query
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return Query{}, fmt.Errorf("decode evidence query: %w", err)
	}
	if q.To.Before(q.From) {
		return Query{}, errors.New("evidence query: to is before from")
	}
	return q, nil
}

// CountExport records that a report was served (requester: "local" or "peer").
func (r *Recorder) CountExport(requester string) { r.m.exports.WithLabelValues(requester).Inc() }

// Build reads a peer's evidence and adds its current state and score.
func (r *Recorder) Build(network string, observer, peer common.Address, from, to time.Time) (Report, error) {
	rep, err := Build(r.store, network, observer, peer, from, to)
	if err != nil {
		return Report{}, err
	}
	if st, ok := r.tracker.States()[peer]; ok {
		rep.State = st.State.String()
	}
	score := r.Score(peer)
	rep.Score = &score
	return rep, nil
}
