package api_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/api"
	"validator/evidence"
)

// In-memory implementations of the API's own small interfaces. The real
// network, registry and evidence recorder are tested in their packages; here
// the HTTP surface is under test.

// fakeNet is a loopback network: Publish delivers to every local subscription
// of the topic, never blocking (a full subscription drops, and counts).
type fakeNet struct {
	sender common.Address

	mu           sync.Mutex
	topics       []string
	peers        []api.Peer
	peerCount    int
	addrs        []string
	subs         map[*fakeSub]struct{}
	published    []published
	publishErr   error
	subscribeErr error
	seq          int
	dropped      int
	// subBuffer is each subscription's capacity (64 if 0).
	subBuffer int
}

type published struct {
	topic   string
	payload []byte
}

func newFakeNet() *fakeNet {
	return &fakeNet{
		sender: common.HexToAddress("0x00000000000000000000000000000000000000aa"),
		topics: []string{"heartbeats", "jobs", "storage", "scheduling", "sync"},
		addrs:  []string{"/ip4/127.0.0.1/udp/9000/quic-v1/p2p/16Uiu2Self", "/ip4/127.0.0.1/tcp/9000/p2p/16Uiu2Self"},
		subs:   map[*fakeSub]struct{}{},
	}
}

var _ api.Network = (*fakeNet)(nil)

func (n *fakeNet) Publish(_ context.Context, topic string, payload []byte) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.publishErr != nil {
		return n.publishErr
	}
	if !slices.Contains(n.topics, topic) {
		return fmt.Errorf("publish: %w %q", api.ErrUnknownTopic, topic)
	}
	n.published = append(n.published, published{topic, slices.Clone(payload)})
	n.seq++
	m := api.Message{
		ID: fmt.Sprintf("%040x", n.seq), Topic: topic, Sender: n.sender,
		Timestamp: time.UnixMilli(1_700_000_000_000 + int64(n.seq)).UTC(), Payload: slices.Clone(payload),
	}
	for s := range n.subs {
		if s.topic != topic {
			continue
		}
		select {
		case s.ch <- m:
		default:
			n.dropped++
		}
	}
	return nil
}

func (n *fakeNet) Subscribe(topic string) (api.Subscription, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.subscribeErr != nil {
		return nil, n.subscribeErr
	}
	size := n.subBuffer
	if size == 0 {
		size = 64
	}
	s := &fakeSub{n: n, topic: topic, ch: make(chan api.Message, size), done: make(chan struct{})}
	n.subs[s] = struct{}{}
	return s, nil
}

func (n *fakeNet) PeerCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.peerCount
}

func (n *fakeNet) Peers() []api.Peer {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.peers)
}

func (n *fakeNet) Topics() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.topics)
}

func (n *fakeNet) ListenAddrs() []string { return slices.Clone(n.addrs) }

func (n *fakeNet) setPeerCount(c int) {
	n.mu.Lock()
	n.peerCount = c
	n.mu.Unlock()
}

func (n *fakeNet) set(f func(n *fakeNet)) {
	n.mu.Lock()
	f(n)
	n.mu.Unlock()
}

func (n *fakeNet) subCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.subs)
}

func (n *fakeNet) publishedMsgs() []published {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.published)
}

type fakeSub struct {
	n     *fakeNet
	topic string
	ch    chan api.Message
	done  chan struct{}
	once  sync.Once
}

func (s *fakeSub) Next(ctx context.Context) (api.Message, error) {
	select {
	case m := <-s.ch:
		return m, nil
	case <-s.done:
		return api.Message{}, errors.New("subscription closed")
	case <-ctx.Done():
		return api.Message{}, ctx.Err()
	}
}

func (s *fakeSub) Close() {
	s.once.Do(func() {
		close(s.done)
		s.n.mu.Lock()
		delete(s.n.subs, s)
		s.n.mu.Unlock()
	})
}

// fakeRegistry reports a settable status.
type fakeRegistry struct {
	mu sync.Mutex
	st api.RegistryStatus
}

func (r *fakeRegistry) Status() api.RegistryStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

func (r *fakeRegistry) set(st api.RegistryStatus) {
	r.mu.Lock()
	r.st = st
	r.mu.Unlock()
}

// fakeEvidence signs real evidence reports (with the real evidence.Sign) that
// carry the asked range, and remembers what it was asked.
type fakeEvidence struct {
	key      *ecdsa.PrivateKey
	observer common.Address

	mu     sync.Mutex
	states map[common.Address]api.PeerLiveness
	calls  []exportCall
	err    error
}

type exportCall struct {
	peer     common.Address
	from, to time.Time
}

func newFakeEvidence() *fakeEvidence {
	k, err := crypto.GenerateKey()
	if err != nil {
		panic(err)
	}
	return &fakeEvidence{key: k, observer: crypto.PubkeyToAddress(k.PublicKey), states: map[common.Address]api.PeerLiveness{}}
}

func (e *fakeEvidence) Export(peer common.Address, from, to time.Time) (evidence.Signed, error) {
	e.mu.Lock()
	e.calls = append(e.calls, exportCall{peer, from, to})
	err := e.err
	e.mu.Unlock()
	if err != nil {
		return evidence.Signed{}, err
	}
	rep := evidence.Report{
		Version: 1, Network: "testnet", Observer: e.observer, Peer: peer, From: from.UTC(), To: to.UTC(),
		GeneratedAt: time.Now().UTC(), State: "responsive",
		Transitions: []evidence.Transition{{At: from.UTC(), From: "unknown", To: "responsive", Reason: "answered"}},
		Summaries:   []evidence.Summary{},
	}
	return evidence.Sign(rep, e.key)
}

func (e *fakeEvidence) PeerStates() map[common.Address]api.PeerLiveness {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[common.Address]api.PeerLiveness, len(e.states))
	for k, v := range e.states {
		out[k] = v
	}
	return out
}

func (e *fakeEvidence) lastCall() exportCall {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[len(e.calls)-1]
}
