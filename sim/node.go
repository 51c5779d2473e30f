package sim

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"

	"validator/p2p"
	"validator/reputation"
)

// netName is the simulated network name.
const netName = "sim"

// nodeKey is node i's key, derived from the seed.
func nodeKey(seed uint64, i int) *ecdsa.PrivateKey {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	k, err := ethcrypto.ToECDSA(ethcrypto.Keccak256([]byte("sim node"), b[:]))
	if err != nil {
		panic(err) // a keccak output is a valid key but with negligible odds
	}
	return k
}

func nodeAddr(i int) ma.Multiaddr {
	return ma.StringCast(fmt.Sprintf("/ip4/10.%d.%d.%d/tcp/4001", i>>16&0xff, i>>8&0xff, i&0xff))
}

// reputationOf is a node's reputation: the real reputation.Tracker fed by
// the prober and the rejections, its summaries kept in memory (the daemon
// keeps them in Badger), scored with reputation.Score into gossipsub's
// application score, as node.Liveness does.
type reputationOf struct {
	members p2p.Membership
	mu      sync.Mutex
	tr      *reputation.Tracker
	sums    []reputation.Summary
	scores  map[common.Address]float64
	cfg     reputation.ScoreConfig
}

func newReputation(members p2p.Membership) *reputationOf {
	tr, err := reputation.NewTracker(reputation.DefaultConfig())
	if err != nil {
		panic(err) // the default config is valid
	}
	return &reputationOf{members: members, tr: tr, scores: map[common.Address]float64{}, cfg: reputation.DefaultScoreConfig()}
}

func (r *reputationOf) configure(cfg *p2p.Config) {
	cfg.OnObservation = func(o p2p.Observation) {
		r.mu.Lock()
		r.tr.Observe(reputation.Observation{Peer: o.NodeID, At: o.At, RTT: o.RTT, Miss: o.Miss, Unreachable: o.Unreachable})
		r.mu.Unlock()
	}
	cfg.OnRejected = func(p peer.ID) {
		if m, ok := r.members.ByPeer(p); ok {
			r.mu.Lock()
			r.tr.Rejected(m.ID, time.Now())
			r.mu.Unlock()
		}
	}
	cfg.AppScore = func(p peer.ID) float64 {
		m, ok := r.members.ByPeer(p)
		if !ok {
			return reputation.ScoreToGossip(0)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		s, ok := r.scores[m.ID]
		if !ok {
			s = reputation.NeutralScore
		}
		return reputation.ScoreToGossip(s)
	}
}

// flush rolls the tracker's finished intervals into scores.
func (r *reputationOf) flush(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sums = append(r.sums, r.tr.Flush(now)...)
	byPeer := map[common.Address][]reputation.Summary{}
	for _, s := range r.sums {
		byPeer[s.Peer] = append(byPeer[s.Peer], s)
	}
	for p, ss := range byPeer {
		r.scores[p] = reputation.Score(ss, now, r.cfg)
	}
}

// node is one simulated validator: a p2p.Service on a mocknet host.
type node struct {
	i      int
	id     p2p.Identity
	host   host.Host
	svc    *p2p.Service
	rep    *reputationOf
	online atomic.Bool
}

// flooder is a registered node that runs plain gossipsub (no validation) and
// publishes envelopes whose signature does not verify: every honest neighbour
// rejects each one and penalises it (P4).
type flooder struct {
	i     int
	id    p2p.Identity
	host  host.Host
	ps    *pubsub.PubSub
	topic *pubsub.Topic
	sent  atomic.Int64
}

// encodeStatus is the status an honest node of the simulated network sends
// (p2p.DefaultConfig's chain ID and registry: the simulator sets neither).
func encodeStatus(version string) ([]byte, error) {
	cfg := p2p.DefaultConfig(netName)
	return rlp.EncodeToBytes(p2p.Status{Network: netName, ChainID: cfg.ChainID, Registry: cfg.Registry, Version: version})
}

func newFlooder(ctx context.Context, i int, id p2p.Identity, h host.Host) (*flooder, error) {
	// It answers the handshake like an honest node, so its neighbours keep it.
	if err := serveStatus(h, "flooder"); err != nil {
		return nil, err
	}
	// Flood publishing sends each message to every topic peer, whatever
	// PRUNE says: an attacker ignores being pruned from the mesh. (Honouring
	// PRUNE, the flooder stopped sending to some neighbours before they had
	// seen enough to graylist it, and the cut-off was never complete.)
	ps, err := pubsub.NewGossipSub(ctx, h,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign), pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(func(m *pb.Message) string { return p2p.MessageID(m.Data) }),
		pubsub.WithMaxMessageSize(1<<20), pubsub.WithFloodPublish(true))
	if err != nil {
		return nil, fmt.Errorf("flooder gossipsub: %w", err)
	}
	t, err := ps.Join(p2p.TopicName(netName, p2p.TopicJobs))
	if err != nil {
		return nil, err
	}
	if _, err := t.Subscribe(); err != nil { // be in the mesh
		return nil, err
	}
	return &flooder{i: i, id: id, host: h, ps: ps, topic: t}, nil
}

// flood publishes rate invalid envelopes per second until ctx ends.
func (f *flooder) flood(ctx context.Context, rate int) {
	t := time.NewTicker(time.Second / time.Duration(rate))
	defer t.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		env, err := p2p.SignEnvelope(f.id.Key, netName, p2p.TopicJobs, binary.BigEndian.AppendUint64(nil, uint64(n)), time.Now())
		if err != nil {
			continue
		}
		env.Signature[10] ^= 0xff // no longer verifies under the sender's key: bad_signature, a Reject
		data, err := p2p.EncodeEnvelope(env)
		if err != nil {
			continue
		}
		if f.topic.Publish(ctx, data) == nil {
			f.sent.Add(1)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// linkAll links every pair of hosts. The links carry no delay of mocknet's:
// the model's delay and bandwidth are applied to every stream (wire.go).
func linkAll(mn mocknet.Mocknet, hosts []host.Host) error {
	for i := range hosts {
		for j := i + 1; j < len(hosts); j++ {
			if _, err := mn.LinkPeers(hosts[i].ID(), hosts[j].ID()); err != nil {
				return fmt.Errorf("link %d-%d: %w", i, j, err)
			}
		}
	}
	return nil
}

// linkFrom is the link function of node i's countingHost: the model's link
// to the peer (byPeer maps peer IDs to node indexes).
func (s *sim) linkFrom(i int, byPeer map[string]int) func(peer.ID) (time.Duration, float64) {
	return func(p peer.ID) (time.Duration, float64) {
		if j, ok := byPeer[string(p)]; ok {
			return s.geo.Link(i, j, s.cfg.Bandwidth)
		}
		return 0, 0
	}
}

// vnet is the validator network of a run: the hosts, their links and the
// services on them, which scripted events take down and bring back.
type vnet struct {
	s       *sim
	mn      mocknet.Mocknet
	traffic *Traffic
	topic   string
	members *p2p.StaticMembership
	hosts   []host.Host
	ids     []p2p.Identity
	byPeer  map[string]int // peer ID to node index; written before any node starts
	rec     *recorder
	ctx     context.Context
	wg      sync.WaitGroup
	nodes   []*node
	rejects atomic.Int64 // messages rejected by validation, network-wide
}

// newService builds node i's p2p service on its host (at the start, and again
// when a node that left comes back, as a restarted daemon would) and
// subscribes it to the measured topic; it does not start it.
func (v *vnet) newService(i int) error {
	cfg := v.s.cfg
	n := v.nodes[i]
	pc := p2p.DefaultConfig(netName)
	pc.Host = v.counted(i)
	pc.TargetPeers, pc.MaxConnections = cfg.TargetPeers, cfg.MaxConnections
	pc.PingInterval = cfg.PingInterval
	pc.HeartbeatInterval = cfg.HeartbeatInterval
	if !cfg.DHTRefresh {
		pc.DHTRefresh = -1
	}
	pc.Logger = discardLogger()
	n.rep.configure(&pc)
	onRejected := pc.OnRejected
	pc.OnRejected = func(p peer.ID) { v.rejects.Add(1); onRejected(p) }
	svc, err := p2p.New(v.ids[i], v.members, pc)
	if err != nil {
		return fmt.Errorf("node %d: %w", i, err)
	}
	sub, err := svc.Subscribe(p2p.TopicJobs)
	if err != nil {
		_ = svc.Close()
		return err
	}
	n.svc = svc
	n.online.Store(true)
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		for {
			m, err := sub.Next(v.ctx)
			if err != nil {
				return
			}
			v.rec.received(i, m.Payload, time.Now())
		}
	}()
	return nil
}

// counted is node i's host as its service sees it: every stream over the
// geographic model's links (wire.go), what gossipsub reads counted.
func (v *vnet) counted(i int) *countingHost {
	return &countingHost{Host: v.hosts[i], live: &v.s.live, t: v.traffic, topic: v.topic, link: v.s.linkFrom(i, v.byPeer)}
}

// leave takes node i off the network: its service stops and every link of
// its host is cut (a crashed or stopped daemon).
func (v *vnet) leave(i int) {
	n := v.nodes[i]
	n.online.Store(false)
	_ = n.svc.Close()
	for j, h := range v.hosts {
		if j != i {
			_ = v.mn.UnlinkPeers(v.hosts[i].ID(), h.ID())
			_ = v.mn.DisconnectPeers(v.hosts[i].ID(), h.ID())
		}
	}
}

// join brings node i back: its links again, and a new service started.
func (v *vnet) join(i int) error {
	for j, h := range v.hosts {
		if j == i {
			continue
		}
		if _, err := v.mn.LinkPeers(v.hosts[i].ID(), h.ID()); err != nil {
			return fmt.Errorf("link %d-%d: %w", i, j, err)
		}
	}
	if err := v.newService(i); err != nil {
		return err
	}
	return v.nodes[i].svc.Start()
}
