package node

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"

	"validator/evidence"
	"validator/p2p"
	"validator/reputation"
	"validator/store"
)

// Liveness wires the p2p prober and gossip rejections into the evidence
// recorder, persists the heartbeat address book, feeds scores back to gossipsub
// and the connection manager, and serves the evidence query protocol.
type Liveness struct {
	rec     *evidence.Recorder
	st      *store.Store
	members p2p.Membership
	network string
	svc     *p2p.Service

	mu        sync.Mutex
	persisted map[common.Address]store.AddrRecord // last address-book entry written per peer

	// selfActive gates probe results (SetActive); nil means always active.
	selfActive func() bool
	dropped    prometheus.Counter
}

// NewLiveness joins a recorder and its store to a membership.
func NewLiveness(rec *evidence.Recorder, st *store.Store, members p2p.Membership, network string) *Liveness {
	return &Liveness{rec: rec, st: st, members: members, network: network, persisted: map[common.Address]store.AddrRecord{}}
}

// Configure sets the p2p hooks; call it on the config before p2p.New.
func (l *Liveness) Configure(cfg *p2p.Config) {
	cfg.OnObservation = l.observe
	cfg.OnRejected = l.rejected
	cfg.AppScore = l.appScore
	cfg.OnHeartbeat = l.heartbeat
}

// SetActive gates liveness evidence on this node's own registration: while
// active reports false (this node exited or is not in the registry view, so
// its peers refuse it), a failed probe says nothing about the peer, and every
// probe result is dropped and counted on dropped instead of recorded. Call it
// before the p2p service starts.
func (l *Liveness) SetActive(active func() bool, dropped prometheus.Counter) {
	l.selfActive, l.dropped = active, dropped
}

func (l *Liveness) observe(o p2p.Observation) {
	if l.selfActive != nil && !l.selfActive() {
		l.dropped.Inc()
		return
	}
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

// addrPersistEvery bounds how often an unchanged address-book entry is
// rewritten just to advance its Seen time: heartbeats arrive every few seconds
// from every peer, and the disk only needs them when something changed.
const addrPersistEvery = time.Minute

func (l *Liveness) heartbeat(e p2p.AddrEntry) {
	rec := store.AddrRecord{Peer: e.NodeID, PeerID: e.PeerID.String(), Version: e.Version, Seen: e.Seen}
	for _, a := range e.Addrs {
		rec.Addrs = append(rec.Addrs, a.String())
	}
	l.mu.Lock()
	last, ok := l.persisted[e.NodeID]
	if ok && slices.Equal(last.Addrs, rec.Addrs) && last.Version == rec.Version && rec.Seen.Sub(last.Seen) < addrPersistEvery {
		l.mu.Unlock()
		return
	}
	l.persisted[e.NodeID] = rec
	l.mu.Unlock()
	_, _ = l.st.PutAddr(rec) // a failed write is counted by the store
}

// Attach connects a started-or-not service: restores the persisted address
// book into it and serves evidence queries.
func (l *Liveness) Attach(svc *p2p.Service) error {
	l.svc = svc
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
	svc.Handle(l.evidenceRR(), l.serveEvidence)
	return nil
}

func (l *Liveness) evidenceRR() p2p.ReqResp {
	return p2p.ReqResp{ID: protocol.ID(l.svc.ProtocolID("evidence")), MaxRequest: evidence.MaxQuerySize, MaxResponse: evidence.MaxReportSize, Timeout: 10 * time.Second}
}

func (l *Liveness) serveEvidence(_ context.Context, from peer.ID, req []byte) ([]byte, error) {
	if _, ok := l.members.ByPeer(from); !ok {
		return nil, fmt.Errorf("not a registered peer")
	}
	q, err := evidence.DecodeQuery(req)
	if err != nil {
		return nil, err
	}
	signed, err := l.Export(q.Peer, q.From, q.To)
	if err != nil {
		return nil, err
	}
	l.rec.CountExport("peer")
	return json.Marshal(signed)
}

// Export builds and signs this node's evidence about peer.
func (l *Liveness) Export(peer common.Address, from, to time.Time) (evidence.Signed, error) {
	id := l.svc.ID()
	rep, err := l.rec.Build(l.network, id.NodeID, peer, from, to)
	if err != nil {
		return evidence.Signed{}, err
	}
	return evidence.Sign(rep, id.Key)
}

// QueryPeer asks another validator for its view of a third peer and verifies
// that the answer is signed by that validator.
func (l *Liveness) QueryPeer(ctx context.Context, observer common.Address, q evidence.Query) (evidence.Report, error) {
	m, ok := l.members.ByID(observer)
	if !ok {
		return evidence.Report{}, fmt.Errorf("query evidence: %s is not an active member", observer)
	}
	req, err := json.Marshal(q)
	if err != nil {
		return evidence.Report{}, err
	}
	resp, err := l.svc.Request(ctx, l.evidenceRR(), m.PeerID, req)
	if err != nil {
		return evidence.Report{}, fmt.Errorf("query evidence from %s: %w", observer, err)
	}
	var s evidence.Signed
	if err := json.Unmarshal(resp, &s); err != nil {
		return evidence.Report{}, fmt.Errorf("query evidence from %s: %w", observer, err)
	}
	rep, err := evidence.Verify(s)
	if err != nil {
		return evidence.Report{}, fmt.Errorf("query evidence from %s: %w", observer, err)
	}
	if rep.Observer != observer || rep.Peer != q.Peer {
		return evidence.Report{}, fmt.Errorf("query evidence from %s: answer is about %s by %s", observer, rep.Peer, rep.Observer)
	}
	return rep, nil
}

// Run flushes evidence every interval, tags connected peers with their scores
// for the connection manager, and forgets peers that leave the registry.
func (l *Liveness) Run(ctx context.Context, interval time.Duration) error {
	_, changes, stop := l.members.Watch()
	defer func() { stop() }() // stop is replaced when the watch is renewed
	done := make(chan error, 1)
	go func() { done <- l.rec.Run(ctx, interval) }()
	t := time.NewTicker(interval)
	defer t.Stop()
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
				l.mu.Lock()
				delete(l.persisted, c.Member.ID)
				l.mu.Unlock()
			}
		case <-t.C:
			if l.svc == nil {
				continue
			}
			for _, pi := range l.svc.Peers() {
				if pi.Registered && l.svc.Host().Network().Connectedness(pi.PeerID) == network.Connected {
					l.svc.TagPeer(pi.PeerID, reputation.ScoreToConnManagerTag(l.rec.Score(pi.NodeID)))
				}
			}
		}
	}
}
