package node

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/api"
	"validator/chain"
	"validator/evidence"
	"validator/p2p"
	"validator/store"
)

// startAPI serves the local API over the node's parts.
func startAPI(n *Node) (apiServer, error) {
	id := n.svc.ID()
	srv, err := api.New(n.cfg.API.Config(n.cfg.Chain.StallAfter.D()), api.Deps{
		Info: api.Info{
			NodeID: id.NodeID, PeerID: id.PeerID.String(), Network: n.network.Name, ChainID: n.network.ChainID,
			Registry: n.network.Registry, Version: n.opts.Version, Started: time.Now(),
			StoreSchemaVersion: store.SchemaVersion, // Open refuses any other
		},
		Network:    apiNetwork{n.svc},
		Registry:   apiRegistry{n},
		Evidence:   apiEvidence{n},
		Standing:   apiStanding{n.standing},
		Reports:    apiReports{n},
		Gatherer:   n.reg,
		Registerer: n.reg,
		Logger:     n.log,
	})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	return srv, nil
}

// apiStanding reports this node's own registration to the API.
type apiStanding struct{ s *chain.Standing }

func (a apiStanding) Standing() api.NodeStanding {
	state, reason, since := a.s.Current()
	return api.NodeStanding{State: state, Reason: reason, Since: since}
}

type apiNetwork struct{ s *p2p.Service }

// errHeartbeatsByDaemon refuses API publishes on heartbeats: a heartbeat
// carries the addresses peers store for this node, and the daemon sends its
// own every network.heartbeat_interval; one from an application could only
// add wrong addresses, or get this node penalised if it did not decode.
var errHeartbeatsByDaemon = errors.New("heartbeats are sent by the daemon itself; applications publish on the other topics")

// errAttestationsByDaemon refuses API publishes on attestations: the daemon
// signs its own from its evidence, and an application's would only get this
// node penalised or, worse, count towards jailing a peer it never measured.
var errAttestationsByDaemon = errors.New("attestations are signed by the daemon itself from its own evidence; applications publish on the other topics")

func (a apiNetwork) Publish(ctx context.Context, topic string, payload []byte) error {
	switch topic {
	case p2p.TopicHeartbeats:
		return errors.Join(api.ErrForbidden, errHeartbeatsByDaemon)
	case p2p.TopicAttestations:
		return errors.Join(api.ErrForbidden, errAttestationsByDaemon)
	}
	err := a.s.Publish(ctx, topic, payload)
	switch {
	case errors.Is(err, p2p.ErrUnknownTopic):
		return errors.Join(api.ErrUnknownTopic, err)
	case errors.Is(err, p2p.ErrNotAllowed):
		return errors.Join(api.ErrForbidden, err)
	case errors.Is(err, p2p.ErrTooLarge):
		return errors.Join(api.ErrTooLarge, err)
	case errors.Is(err, p2p.ErrBadPayload):
		return errors.Join(api.ErrBadPayload, err)
	case errors.Is(err, p2p.ErrBusy):
		return errors.Join(api.ErrBusy, err)
	}
	return err
}

func (a apiNetwork) Subscribe(topic string) (api.Subscription, error) {
	sub, err := a.s.Subscribe(topic)
	if errors.Is(err, p2p.ErrUnknownTopic) {
		return nil, errors.Join(api.ErrUnknownTopic, err)
	}
	if err != nil {
		return nil, err
	}
	return apiSub{sub}, nil
}

func (a apiNetwork) PeerCount() int { return a.s.PeerCount() }

func (a apiNetwork) Peers() []api.Peer {
	var out []api.Peer
	scores := a.s.GossipScores()
	for _, p := range a.s.Peers() {
		ap := api.Peer{
			PeerID: p.PeerID.String(), NodeID: p.NodeID, Registered: p.Registered, Connected: true,
			Direction: strings.ToLower(p.Direction), ConnectedSince: p.Since, Version: p.Version,
			LatencyMs: float64(p.Latency) / float64(time.Millisecond),
		}
		if s, ok := scores[p.PeerID]; ok {
			ap.GossipScore = &s
		}
		for _, a := range p.Addrs {
			ap.Addrs = append(ap.Addrs, a.String())
		}
		out = append(out, ap)
	}
	return out
}

func (a apiNetwork) Topics() []string { return append([]string(nil), p2p.StandardTopics...) }

func (a apiNetwork) ListenAddrs() []string {
	var out []string
	for _, m := range a.s.Addrs() {
		out = append(out, m.String())
	}
	return out
}

type apiSub struct{ s *p2p.Subscription }

func (a apiSub) Next(ctx context.Context) (api.Message, error) {
	m, err := a.s.Next(ctx)
	if err != nil {
		return api.Message{}, err
	}
	return api.Message{ID: hex.EncodeToString([]byte(m.ID)), Topic: m.Topic, Sender: m.Sender.ID, Timestamp: m.Timestamp, Payload: m.Payload}, nil
}

func (a apiSub) Close() { a.s.Close() }

type apiRegistry struct{ n *Node }

func (a apiRegistry) Status() api.RegistryStatus {
	st := a.n.view.Status()
	rs := api.RegistryStatus{Synced: st.Synced, Block: st.Block, BlockHash: st.Hash, Head: st.Head, Nodes: st.Nodes, LastSuccess: st.LastSuccess}
	if st.LastError != nil {
		rs.LastError = st.LastError.Error()
	}
	return rs
}

type apiEvidence struct{ n *Node }

func (a apiEvidence) Export(peer common.Address, from, to time.Time) (evidence.Signed, error) {
	s, err := a.n.live.Exchange().Export(peer, from, to)
	if err == nil {
		a.n.rec.CountExport("local")
	}
	return s, err
}

func (a apiEvidence) PeerStates() map[common.Address]api.PeerLiveness {
	scores := a.n.rec.Scores()
	out := map[common.Address]api.PeerLiveness{}
	for id, st := range a.n.rec.States() {
		pl := api.PeerLiveness{State: st.State.String(), Since: st.Since, Score: 1}
		if s, ok := scores[id]; ok {
			pl.Score = s
		}
		out[id] = pl
	}
	return out
}
