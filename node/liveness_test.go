package node_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	"validator/chain"
	"validator/chain/devchain"
	"validator/evidence"
	"validator/node"
	"validator/p2p"
	"validator/reputation"
	"validator/store"
)

var stake = new(big.Int).Mul(big.NewInt(32), big.NewInt(params.Ether))

func key(t testing.TB, seed string) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type world struct {
	t        *testing.T
	chain    *devchain.Chain
	registry common.Address
}

func newWorld(t *testing.T) *world {
	admin := chain.NewKeySigner(key(t, "admin"))
	alloc := map[common.Address]*big.Int{admin.Address: new(big.Int).Mul(stake, big.NewInt(100))}
	for i := range 8 {
		alloc[chain.NewKeySigner(key(t, fmt.Sprint("op", i))).Address] = new(big.Int).Mul(stake, big.NewInt(10))
	}
	c, err := devchain.New(devchain.Config{Alloc: alloc, Automine: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	addr, _, err := chain.Deploy(context.Background(), c.Client(), admin, chain.DeployParams{MinStake: stake, UnbondingPeriod: time.Hour}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, chain: c, registry: addr}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// vnode is a validator with liveness: registry view, p2p service, tracker,
// recorder and store, on a fixed loopback TCP port so it can come back.
type vnode struct {
	idx     int
	key     *ecdsa.PrivateKey
	port    int
	dir     string
	view    *chain.Registry
	svc     *p2p.Service
	tracker *reputation.Tracker
	rec     *evidence.Recorder
	st      *store.Store
	live    *node.Liveness
	p2pCfg  p2p.Config
	stop    func()
}

func livenessConfig() reputation.Config {
	return reputation.Config{SlowRTT: 60 * time.Millisecond, OfflineAfter: 3, Alpha: 0.5, SlowExit: 0.8, Interval: 500 * time.Millisecond}
}

func (w *world) start(idx int, dir string, port int) *vnode {
	t := w.t
	t.Helper()
	v := &vnode{idx: idx, key: key(t, fmt.Sprint("node", idx)), port: port, dir: dir}
	view, err := chain.NewRegistry(w.chain.Client(), w.registry, chain.WithPollInterval(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); view.Run(ctx) }()
	if v.st, err = store.Open(dir); err != nil {
		t.Fatal(err)
	}
	if v.tracker, err = reputation.NewTracker(livenessConfig()); err != nil {
		t.Fatal(err)
	}
	if v.rec, err = evidence.NewRecorder(v.tracker, v.st); err != nil {
		t.Fatal(err)
	}
	if _, err := v.rec.Restore(); err != nil {
		t.Fatal(err)
	}
	members := node.NewMembership(view)
	v.live = node.NewLiveness(v.rec, v.st, members, "testnet")
	cfg := p2p.DefaultConfig("testnet")
	cfg.ChainID, cfg.Registry = devchain.ChainID, w.registry
	cfg.ListenAddrs = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", port)}
	cfg.TargetPeers, cfg.DiscoveryInterval, cfg.HeartbeatInterval = 8, 200*time.Millisecond, 300*time.Millisecond
	cfg.PingInterval, cfg.PingTimeout, cfg.DialTimeout = 100*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
	v.live.Configure(&cfg)
	v.p2pCfg = cfg
	id, _ := p2p.NewIdentity(v.key)
	if v.svc, err = p2p.New(id, members, cfg); err != nil {
		t.Fatal(err)
	}
	if err := v.live.Attach(v.svc); err != nil {
		t.Fatal(err)
	}
	v.view = view
	wg.Add(1)
	go func() { defer wg.Done(); v.live.Run(ctx, livenessConfig().Interval) }()
	v.stop = sync.OnceFunc(func() {
		v.svc.Close()
		cancel()
		wg.Wait()
		v.st.Close()
	})
	t.Cleanup(v.stop)
	return v
}

func (w *world) register(v *vnode) {
	w.t.Helper()
	tx, err := chain.NewTransactor(context.Background(), w.chain.Client(), w.registry, chain.NewKeySigner(key(w.t, fmt.Sprint("op", v.idx))), chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		w.t.Fatal(err)
	}
	if _, _, err := tx.Register(context.Background(), v.key, []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", v.port)}, "", stake); err != nil {
		w.t.Fatal(err)
	}
}

func (v *vnode) nodeID() common.Address { return crypto.PubkeyToAddress(v.key.PublicKey) }

func (v *vnode) run(t *testing.T, want int) {
	t.Helper()
	waitFor(t, "view", func() bool { return len(v.view.Active()) >= want })
	if err := v.svc.Start(); err != nil {
		t.Fatal(err)
	}
}

func (v *vnode) stateOf(o *vnode) reputation.State {
	st, _, _ := v.tracker.State(o.nodeID())
	return st
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// network launches k validators and waits until they are all connected.
func (w *world) network(k int) []*vnode {
	var vs []*vnode
	for i := range k {
		v := w.start(i, w.t.TempDir(), freePort(w.t))
		w.register(v)
		vs = append(vs, v)
	}
	for _, v := range vs {
		v.run(w.t, k)
	}
	waitFor(w.t, "all responsive", func() bool {
		for _, a := range vs {
			for _, b := range vs {
				if a != b && a.stateOf(b) != reputation.Responsive {
					return false
				}
			}
		}
		return true
	})
	return vs
}

// slowPing answers libp2p pings after a delay: injected latency, in process.
func slowPing(delay time.Duration) network.StreamHandler {
	return func(s network.Stream) {
		defer s.Close()
		buf := make([]byte, 32)
		for {
			if _, err := io.ReadFull(s, buf); err != nil {
				return
			}
			time.Sleep(delay)
			if _, err := s.Write(buf); err != nil {
				return
			}
		}
	}
}

func TestSlowUnderLatencyIsNotPenalised(t *testing.T) {
	w := newWorld(t)
	vs := w.network(2)
	watcher, target := vs[0], vs[1]

	target.svc.Host().SetStreamHandler(ping.ID, slowPing(150*time.Millisecond))
	waitFor(t, "the target to turn slow", func() bool { return watcher.stateOf(target) == reputation.Slow })
	time.Sleep(1500 * time.Millisecond) // several summary intervals while slow
	watcher.rec.Flush()
	if s := watcher.rec.Score(target.nodeID()); s != 1 {
		t.Fatalf("score of a slow, always answering peer = %v, want 1", s)
	}
	if watcher.svc.Host().Network().Connectedness(target.svc.Host().ID()) != network.Connected {
		t.Fatal("slow peer was disconnected")
	}
	// What gossipsub and the connection manager see: a slow peer is a perfect one.
	if g := watcher.p2pCfg.AppScore(target.svc.Host().ID()); g != reputation.GossipScoreScale {
		t.Fatalf("gossipsub app score of a slow peer = %v, want %v", g, reputation.GossipScoreScale)
	}
	waitFor(t, "the connection manager tag", func() bool {
		ti := watcher.svc.Host().ConnManager().GetTagInfo(target.svc.Host().ID())
		return ti != nil && ti.Tags["reputation"] == 100
	})

	ping.NewPingService(target.svc.Host()) // latency ends
	waitFor(t, "the target to be responsive again", func() bool { return watcher.stateOf(target) == reputation.Responsive })
	trs, err := watcher.st.Transitions(target.nodeID(), time.Time{}, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var toSlow, back bool
	for _, tr := range trs {
		toSlow = toSlow || tr.To == store.Slow
		back = back || (tr.From == store.Slow && tr.To == store.Responsive)
	}
	if !toSlow || !back {
		t.Fatalf("transitions in the store = %+v, want responsive→slow→responsive", trs)
	}
}

func TestOfflineAccruesEvidenceAndRestartRestores(t *testing.T) {
	w := newWorld(t)
	vs := w.network(3)
	watcher, target, asker := vs[0], vs[1], vs[2]

	target.stop() // its host is gone
	waitFor(t, "the target to go offline", func() bool { return watcher.stateOf(target) == reputation.Offline })
	time.Sleep(1200 * time.Millisecond) // offline across summary intervals
	watcher.rec.Flush()
	sums, err := watcher.st.Summaries(target.nodeID(), time.Time{}, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var offline time.Duration
	for _, s := range sums {
		offline += s.Offline
	}
	if offline < 500*time.Millisecond {
		t.Fatalf("offline time in the evidence = %s over %d summaries", offline, len(sums))
	}
	scoreDown := watcher.rec.Score(target.nodeID())
	if scoreDown >= 1 {
		t.Fatalf("score of an offline peer = %v, want < 1", scoreDown)
	}
	// Gossipsub sees the offline peer as less preferred, never as negative:
	// downtime is not misbehaviour, and a negative score would cut it off
	// from gossip when it comes back.
	if g := watcher.p2pCfg.AppScore(target.svc.Host().ID()); g < 0 || g >= reputation.GossipScoreScale {
		t.Fatalf("gossipsub app score of an offline peer = %v, want in [0, %v)", g, reputation.GossipScoreScale)
	}

	// Another validator asks the watcher for its view of the target, and can
	// check who signed it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := asker.live.Exchange().Query(ctx, watcher.nodeID(), evidence.Query{Peer: target.nodeID(), From: time.Now().Add(-time.Hour), To: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Observer != watcher.nodeID() || rep.State != "offline" || len(rep.Transitions) == 0 {
		t.Fatalf("report = observer %s state %q transitions %d", rep.Observer, rep.State, len(rep.Transitions))
	}

	// The target comes back on its port: one answered ping brings it back.
	back := w.start(target.idx, target.dir, target.port)
	back.run(t, 3)
	waitFor(t, "the target to be responsive again", func() bool { return watcher.stateOf(target) == reputation.Responsive })

	// Bring the target down again, then restart the watcher: its states,
	// scores and address book come back from the store.
	back.stop()
	waitFor(t, "offline again", func() bool { return watcher.stateOf(target) == reputation.Offline })
	watcher.rec.Flush()
	scoreBefore := watcher.rec.Score(target.nodeID())
	books := len(watcher.svc.AddrBook().All())
	watcher.stop()

	again := w.start(watcher.idx, watcher.dir, watcher.port)
	if st := again.stateOf(target); st != reputation.Offline {
		t.Fatalf("restored state of the target = %v, want offline", st)
	}
	// Recomputed from the restored evidence at a later now: equal but for the
	// decay of a few milliseconds.
	if s := again.rec.Score(target.nodeID()); math.Abs(s-scoreBefore) > 0.01 {
		t.Fatalf("restored score = %v, want %v", s, scoreBefore)
	}
	if got := len(again.svc.AddrBook().All()); got == 0 || got < books-1 {
		t.Fatalf("restored address book has %d entries, had %d", got, books)
	}
	sums2, err := again.st.Summaries(target.nodeID(), time.Time{}, time.Now().Add(time.Minute))
	if err != nil || len(sums2) < len(sums) {
		t.Fatalf("evidence after restart: %d summaries (%v), had %d", len(sums2), err, len(sums))
	}
}
