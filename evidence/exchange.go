package evidence

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Spec describes a request/response protocol to a Transport: its name (the
// transport turns it into a protocol ID, /validator/<network>/<name>/1 on
// p2p), the size caps of request and response, and the time one exchange may
// take.
type Spec struct {
	Name        string
	MaxRequest  int
	MaxResponse int
	Timeout     time.Duration
}

// QuerySpec is the evidence query protocol.
var QuerySpec = Spec{Name: "evidence", MaxRequest: MaxQuerySize, MaxResponse: MaxReportSize, Timeout: 10 * time.Second}

// Handler answers one request from a registered node.
type Handler func(ctx context.Context, from common.Address, req []byte) ([]byte, error)

// Transport is request/response between registered nodes, addressed by node
// ID. The node layer adapts the p2p service to it: Handle answers only
// registered peers (anyone else gets an error), and Request resolves the node
// ID through the registry and fails for a node that is not an active member.
type Transport interface {
	Handle(s Spec, h Handler)
	Request(ctx context.Context, s Spec, to common.Address, req []byte) ([]byte, error)
}

// Exchange is the evidence query protocol, both sides: it serves this node's
// signed evidence to other validators, and asks them for theirs.
type Exchange struct {
	rec      *Recorder
	t        Transport
	network  string
	key      *ecdsa.PrivateKey
	observer common.Address
}

// NewExchange signs this node's evidence with key (the node key) and carries
// queries over t. Call Serve to answer other validators.
func NewExchange(rec *Recorder, t Transport, network string, key *ecdsa.PrivateKey) *Exchange {
	return &Exchange{rec: rec, t: t, network: network, key: key, observer: crypto.PubkeyToAddress(key.PublicKey)}
}

// Serve answers evidence queries from registered peers.
func (e *Exchange) Serve() { e.t.Handle(QuerySpec, e.serve) }

func (e *Exchange) serve(_ context.Context, _ common.Address, req []byte) ([]byte, error) {
	q, err := DecodeQuery(req)
	if err != nil {
		return nil, err
	}
	signed, err := e.Export(q.Peer, q.From, q.To)
	if err != nil {
		return nil, err
	}
	e.rec.CountExport("peer")
	return json.Marshal(signed)
}

// Export builds and signs this node's evidence about peer.
func (e *Exchange) Export(peer common.Address, from, to time.Time) (Signed, error) {
	rep, err := e.rec.Build(e.network, e.observer, peer, from, to)
	if err != nil {
		return Signed{}, err
	}
	return Sign(rep, e.key)
}

// Query asks another validator for its view of a third peer and verifies that
// the answer is signed by that validator and is about that peer.
func (e *Exchange) Query(ctx context.Context, observer common.Address, q Query) (Report, error) {
	req, err := json.Marshal(q)
	if err != nil {
		return Report{}, err
	}
	resp, err := e.t.Request(ctx, QuerySpec, observer, req)
	if err != nil {
		return Report{}, fmt.Errorf("query evidence from %s: %w", observer, err)
	}
	var s Signed
	if err := json.Unmarshal(resp, &s); err != nil {
		return Report{}, fmt.Errorf("query evidence from %s: %w", observer, err)
	}
	rep, err := Verify(s)
	if err != nil {
		return Report{}, fmt.Errorf("query evidence from %s: %w", observer, err)
	}
	if rep.Observer != observer || rep.Peer != q.Peer {
		return Report{}, fmt.Errorf("query evidence from %s: answer is about %s by %s", observer, rep.Peer, rep.Observer)
	}
	return rep, nil
}
