package node

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"

	"validator/evidence"
	"validator/p2p"
	"validator/reputation"
	"validator/store"
)

// Liveness wires the p2p service to the evidence recorder and the store, by
// node ID: probe observations and gossip rejections go to the recorder, scores
// back to gossipsub, heartbeat addresses to the store, the persisted address
// book back into p2p, and peers that leave the registry are forgotten. It
// decides nothing: evidence decides what is recorded, scored, tagged and
// served (Recorder, Exchange), store when an address is written (NoteAddr).
type Liveness struct {
	rec     *evidence.Recorder
	st      *store.Store
	members p2p.Membership
	network string
	net     p2pNet
	ex      *evidence.Exchange
}

// NewLiveness joins a recorder and its store to a membership.
func NewLiveness(rec *evidence.Recorder, st *store.Store, members p2p.Membership, network string) *Liveness {
	return &Liveness{rec: rec, st: st, members: members, network: network}
}

// Configure sets the p2p hooks; call it on the config before p2p.New.
func (l *Liveness) Configure(cfg *p2p.Config) {
	cfg.OnObservation = l.observe
	cfg.OnRejected = l.rejected
	cfg.AppScore = l.appScore
	cfg.OnHeartbeat = l.heartbeat
}

func (l *Liveness) observe(o p2p.Observation) {
	l.rec.Observe(reputation.Observation{Peer: o.NodeID, At: o.At, RTT: o.RTT, Miss: o.Miss, Unreachable: o.Unreachable})
}

func (l *Liveness) rejected(p peer.ID) {
	if m, ok := l.members.ByPeer(p); ok {
		l.rec.Rejected(m.ID)
	}
}

func (l *Liveness) appScore(p peer.ID) float64 {
	m, ok := l.members.ByPeer(p)
	if !ok {
		return reputation.ScoreToGossip(0)
	}
	return reputation.ScoreToGossip(l.rec.Score(m.ID))
}

func (l *Liveness) heartbeat(e p2p.AddrEntry) {
	rec := store.AddrRecord{Peer: e.NodeID, PeerID: e.PeerID.String(), Version: e.Version, Seen: e.Seen}
	for _, a := range e.Addrs {
		rec.Addrs = append(rec.Addrs, a.String())
	}
	l.st.NoteAddr(rec)
}

// Attach connects a started-or-not service: restores the persisted address
// book into it and serves evidence queries.
func (l *Liveness) Attach(svc *p2p.Service) error {
	recs, err := l.st.Addrs()
	if err != nil {
		return fmt.Errorf("restore address book: %w", err)
	}
	var entries []p2p.AddrEntry
	for _, r := range recs {
		pid, err := peer.Decode(r.PeerID)
		if err != nil {
			continue
		}
		e := p2p.AddrEntry{PeerID: pid, NodeID: r.Peer, Version: r.Version, Seen: r.Seen}
		for _, s := range r.Addrs {
			if a, err := ma.NewMultiaddr(s); err == nil {
				e.Addrs = append(e.Addrs, a)
			}
		}
		entries = append(entries, e)
	}
	svc.RestoreAddrs(entries)
	l.net = p2pNet{svc: svc, members: l.members}
	l.ex = evidence.NewExchange(l.rec, l.net, l.network, svc.ID().Key)
	l.ex.Serve()
	return nil
}

// Exchange is the evidence query protocol, to export this node's evidence and
// query other validators' (after Attach).
func (l *Liveness) Exchange() *evidence.Exchange { return l.ex }

// Run runs the recorder (flushes, scores and connection-manager tags every
// interval) and forgets peers that leave the registry, until ctx ends.
func (l *Liveness) Run(ctx context.Context, interval time.Duration) error {
	_, changes, stop := l.members.Watch()
	defer func() { stop() }() // stop is replaced when the watch is renewed
	var tags evidence.Tagger
	if l.net.svc != nil {
		tags = l.net
	}
	done := make(chan error, 1)
	go func() { done <- l.rec.Run(ctx, interval, tags) }()
	for {
		select {
		case <-ctx.Done():
			return <-done
		case c, ok := <-changes:
			if !ok {
				_, changes, stop = l.members.Watch()
				continue
			}
			if c.Kind == p2p.Left {
				l.rec.Forget(c.Member.ID)
				l.st.ForgetAddr(c.Member.ID)
			}
		}
	}
}

// p2pNet adapts the p2p service to evidence's Transport and Tagger: node IDs
// to peer IDs through the membership, evidence.Spec to p2p.ReqResp.
type p2pNet struct {
	svc     *p2p.Service
	members p2p.Membership
}

var (
	_ evidence.Transport = p2pNet{}
	_ evidence.Tagger    = p2pNet{}
)

func (n p2pNet) reqResp(s evidence.Spec) p2p.ReqResp {
	return p2p.ReqResp{ID: protocol.ID(n.svc.ProtocolID(s.Name)), MaxRequest: s.MaxRequest, MaxResponse: s.MaxResponse, Timeout: s.Timeout}
}

// Handle answers registered peers only.
func (n p2pNet) Handle(s evidence.Spec, h evidence.Handler) {
	n.svc.Handle(n.reqResp(s), func(ctx context.Context, from peer.ID, req []byte) ([]byte, error) {
		m, ok := n.members.ByPeer(from)
		if !ok {
			return nil, fmt.Errorf("not a registered peer")
		}
		return h(ctx, m.ID, req)
	})
}

func (n p2pNet) Request(ctx context.Context, s evidence.Spec, to common.Address, req []byte) ([]byte, error) {
	m, ok := n.members.ByID(to)
	if !ok {
		return nil, fmt.Errorf("%s is not an active member", to)
	}
	return n.svc.Request(ctx, n.reqResp(s), m.PeerID, req)
}

func (n p2pNet) Connected() []common.Address {
	var out []common.Address
	for _, pi := range n.svc.Peers() {
		if pi.Registered && n.svc.Host().Network().Connectedness(pi.PeerID) == network.Connected {
			out = append(out, pi.NodeID)
		}
	}
	return out
}

func (n p2pNet) Tag(p common.Address, value int) {
	if m, ok := n.members.ByID(p); ok {
		n.svc.TagPeer(m.PeerID, value)
	}
}
