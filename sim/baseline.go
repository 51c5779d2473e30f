package sim

import (
	"context"
	"fmt"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/host"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"

	"validator/p2p"
)

// envelopeOverhead is how many bytes a signed envelope adds to a payload of
// size bytes; the baseline's messages are that much longer, so both networks
// carry the same bytes.
func envelopeOverhead(size int) int {
	env, err := p2p.SignEnvelope(nodeKey(0, 0), netName, p2p.TopicJobs, make([]byte, size), time.Now())
	if err != nil {
		return 0
	}
	b, err := p2p.EncodeEnvelope(env)
	if err != nil {
		return 0
	}
	return len(b) - size
}

// runBaseline runs the same schedule on plain gossipsub (the daemon's
// gossipsub parameters and queue sizes; no signing, validation or scoring)
// over a fresh mocknet with the same link delays and the validator network's
// connection graph.
func (s *sim) runBaseline(ctx context.Context, res *Result, publishers []int, edges [][2]int) error {
	cfg := s.cfg
	mn := mocknet.New()
	defer mn.Close()
	traffic := &Traffic{}
	topicName := p2p.TopicName(netName, p2p.TopicJobs)
	hosts := make([]host.Host, cfg.N)
	byPeer := map[string]int{}
	for i := range cfg.N {
		id, err := p2p.NewIdentity(nodeKey(cfg.Seed, i))
		if err != nil {
			return err
		}
		h, err := mn.AddPeer(id.Priv, nodeAddr(i))
		if err != nil {
			return err
		}
		hosts[i] = h
		byPeer[string(id.PeerID)] = i
	}
	if err := linkAll(mn, hosts); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	rec := newRecorder()
	topics := make([]*pubsub.Topic, cfg.N)
	for i := range cfg.N {
		ps, err := pubsub.NewGossipSub(runCtx, &countingHost{Host: hosts[i], live: &s.live, t: traffic, topic: topicName, link: s.linkFrom(i, byPeer)},
			pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign), pubsub.WithNoAuthor(),
			pubsub.WithMessageIdFn(func(m *pb.Message) string { return p2p.MessageID(m.Data) }),
			pubsub.WithMaxMessageSize(1<<20),
			pubsub.WithPeerOutboundQueueSize(256), pubsub.WithValidateQueueSize(4096))
		if err != nil {
			return fmt.Errorf("baseline gossipsub %d: %w", i, err)
		}
		t, err := ps.Join(topicName)
		if err != nil {
			return err
		}
		sub, err := t.Subscribe()
		if err != nil {
			return err
		}
		topics[i] = t
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				m, err := sub.Next(runCtx)
				if err != nil {
					return
				}
				if m.ReceivedFrom != hosts[i].ID() {
					rec.received(i, m.Data, time.Now())
				}
			}
		}()
	}
	for _, e := range edges {
		if _, err := mn.ConnectPeers(hosts[e[0]].ID(), hosts[e[1]].ID()); err != nil {
			return fmt.Errorf("baseline connect %d-%d: %w", e[0], e[1], err)
		}
	}
	s.log("baseline: %d connections copied", len(edges))
	time.Sleep(cfg.Settle)
	extra := envelopeOverhead(cfg.Size)
	pub := func(ctx context.Context, i int, payload []byte) error {
		return topics[i].Publish(ctx, append(payload, make([]byte, extra)...))
	}
	bs := &Side{Edges: len(edges)}
	window := time.Duration(float64(cfg.Messages)/cfg.Rate*float64(time.Second)) + cfg.Drain
	bs.IdleCPUPerNodeSecond = idleCPU(window, cfg.N)
	tr0, c0 := traffic.Snapshot(), cpuTime()
	ids := s.schedule(runCtx, rec, publishers, cfg.Messages, cfg.Rate, pub, cfg.N)
	bs.fill(s.measure(rec, ids, all, cfg.N), traffic.Snapshot().Sub(tr0), cpuTime()-c0, window, cfg)
	bs.HeapPerNodeBytes = heapPerNode(cfg.N)
	res.Baseline = bs
	s.log("baseline: delivery %.4f p50 %.0fms p99 %.0fms", bs.Delivery.Ratio, bs.Delivery.P50, bs.Delivery.P99)
	return nil
}
