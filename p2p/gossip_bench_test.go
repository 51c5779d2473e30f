package p2p_test

// Gossip benchmarks on real libp2p hosts on loopback TCP (Noise, Yamux), each
// against a baseline measured in the same op:
//
//	BenchmarkGossipThroughput   256-byte messages from one publisher to every other node's
//	                            subscriber, 2 and 10 nodes: ours (signed envelopes, verified
//	                            against registered keys) against plain gossipsub with libp2p's StrictSign
//	                            (secp256k1 host keys, our node key type, and ed25519, libp2p's
//	                            default) and plain gossipsub StrictNoSign with no validator
//	                            (the ceiling).
//	BenchmarkGossipLatency      publish-to-receipt delay, p50 and p99, 30 nodes, 100 msg/s
//	                            from random nodes: ours against unsigned gossipsub.
//	BenchmarkGossipConvergence  cold start of 30 registered nodes off the dev-chain registry
//	                            until each has min(6, N-1) registered peers and a complete
//	                            address book, against 30 plain hosts dialling peers whose
//	                            addresses they are given.
//
// The variants of a benchmark run side by side in one process and take turns
// in short slices, so that load from other processes hits them alike; read
// the ratios. Every op takes seconds, so the default -benchtime runs one op
// per -count:
//
//	go test ./p2p/ -run '^$' -bench 'Gossip(Throughput|Latency|Convergence)' -count 3
//
// BENCH_VARIANTS=nosign (a comma-separated list) runs ours and only those
// baselines in BenchmarkGossipThroughput, e.g. to profile with -cpuprofile.

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	"github.com/prometheus/client_golang/prometheus"

	"validator/chain"
	"validator/chain/devchain"
	"validator/node"
	"validator/p2p"
)

const (
	benchNetwork     = "benchnet"
	benchPayloadSize = 256
	// benchListen: every variant runs on loopback TCP with Noise and Yamux.
	benchListen = "/ip4/127.0.0.1/tcp/0"
	// benchStall is how long a run waits without a single receipt before it
	// counts the outstanding messages as lost.
	benchStall = 3 * time.Second
	// benchLatencyRate is the publish rate of the latency benchmark.
	benchLatencyRate = 100 // msg/s
	// benchMeshSettle lets gossipsub heartbeats (1 s) graft the meshes.
	benchMeshSettle = 3 * time.Second
)

// benchWindow bounds the messages in flight (published but not yet received
// by every subscriber) so that no pubsub queue overflows: each node's
// validation queue (1024) holds at most window x (N-1) copies, and each peer's
// outbound queue (256) at most window messages.
const benchWindow = 32

var (
	benchLogger = slog.New(slog.DiscardHandler)
	benchRunSeq atomic.Uint64
)

// benchNet is a running gossip network of one variant: node i publishes with
// publish[i], and every node's subscription hands payloads to the handler.
type benchNet struct {
	n       int
	publish []func(ctx context.Context, data []byte) error
	peers   []func() int
	// neighbours lists each node's connected peers by index (ours only).
	neighbours func() [][]int
	// repair redials lost connections before each slice (plain networks,
	// which have no discovery of their own to do it); nil for ours.
	repair  func(*testing.B)
	hosts   []host.Host // plain networks only
	handler atomic.Pointer[func(node int, payload []byte)]
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closers []func()
}

func (bn *benchNet) deliver(i int, payload []byte) {
	if h := bn.handler.Load(); h != nil {
		(*h)(i, payload)
	}
}

func (bn *benchNet) setHandler(h func(int, []byte)) {
	if h == nil {
		bn.handler.Store(nil)
		return
	}
	bn.handler.Store(&h)
}

// receive drains one node's subscription until the network closes.
func (bn *benchNet) receive(ctx context.Context, i int, next func(context.Context) ([]byte, error)) {
	bn.wg.Add(1)
	go func() {
		defer bn.wg.Done()
		for {
			p, err := next(ctx)
			if err != nil {
				return
			}
			if p != nil {
				bn.deliver(i, p)
			}
		}
	}()
}

func (bn *benchNet) close() {
	bn.setHandler(nil)
	bn.cancel()
	bn.wg.Wait()
	for _, c := range slices.Backward(bn.closers) {
		c()
	}
}

func (bn *benchNet) meanPeers() float64 {
	total := 0
	for _, p := range bn.peers {
		total += p()
	}
	return float64(total) / float64(bn.n)
}

// benchPayload is a fresh 256-byte payload (pubsub keeps a reference to what
// it publishes, so payloads are never reused) carrying a run ID, which makes
// receipts of an earlier run harmless, and a value: a sequence number or the
// send time.
func benchPayload(run, value uint64) []byte {
	p := make([]byte, benchPayloadSize)
	binary.BigEndian.PutUint64(p[0:8], run)
	binary.BigEndian.PutUint64(p[8:16], value)
	return p
}

func benchPayloadRun(p []byte) (run, value uint64) {
	if len(p) < 16 {
		return 0, 0
	}
	return binary.BigEndian.Uint64(p[0:8]), binary.BigEndian.Uint64(p[8:16])
}

// ---------------------------------------------------------------- variants

// benchOurs starts n p2p.Services over a static membership that knows every
// node and its address; discovery keeps target peers connected.
func benchOurs(b *testing.B, n, target int) *benchNet {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	bn := &benchNet{n: n, cancel: cancel}
	members := p2p.NewStaticMembership()
	svcs := make([]*p2p.Service, n)
	for i := range n {
		id, err := p2p.NewIdentity(seedKey(b, fmt.Sprintf("bench-node-%d", i)))
		if err != nil {
			b.Fatal(err)
		}
		cfg := p2p.DefaultConfig(benchNetwork)
		cfg.ListenAddrs = []string{benchListen}
		cfg.TargetPeers = target
		cfg.DiscoveryInterval = time.Second
		cfg.Registerer = prometheus.NewRegistry()
		cfg.Logger = benchLogger
		svc, err := p2p.New(id, members, cfg)
		if err != nil {
			bn.close()
			b.Fatal(err)
		}
		svcs[i] = svc
		bn.closers = append(bn.closers, func() { svc.Close() })
	}
	for _, svc := range svcs {
		members.Put(p2p.Member{ID: svc.ID().NodeID, PeerID: svc.ID().PeerID, Addrs: svc.Host().Addrs()})
	}
	for i, svc := range svcs {
		sub, err := svc.Subscribe(p2p.TopicJobs)
		if err != nil {
			bn.close()
			b.Fatal(err)
		}
		bn.closers = append(bn.closers, sub.Close)
		bn.publish = append(bn.publish, func(ctx context.Context, data []byte) error {
			return svc.Publish(ctx, p2p.TopicJobs, data)
		})
		bn.peers = append(bn.peers, svc.PeerCount)
		bn.receive(ctx, i, func(ctx context.Context) ([]byte, error) {
			m, err := sub.Next(ctx)
			return m.Payload, err
		})
	}
	index := map[peer.ID]int{}
	for i, svc := range svcs {
		index[svc.ID().PeerID] = i
	}
	bn.neighbours = func() [][]int {
		out := make([][]int, n)
		for i, svc := range svcs {
			for _, p := range svc.Host().Network().Peers() {
				if j, ok := index[p]; ok {
					out[i] = append(out[i], j)
				}
			}
		}
		return out
	}
	for _, svc := range svcs {
		if err := svc.Start(); err != nil {
			bn.close()
			b.Fatal(err)
		}
	}
	benchWaitPeers(b, bn, min(target, n-1))
	return bn
}

// benchSigning is the message authentication of a plain gossipsub variant.
type benchSigning int

const (
	// benchNoSign: StrictNoSign, no author, content-hash message IDs, no validator.
	benchNoSign benchSigning = iota
	// benchSignSecp: libp2p's default StrictSign with secp256k1 host keys (our node key type).
	benchSignSecp
	// benchSignEd25519: StrictSign with ed25519 host keys (libp2p's default key type).
	benchSignEd25519
	// benchVerifyFloor: benchNoSign plus the least any secp256k1 ECDSA
	// authentication costs: the publisher signs a keccak256 digest of each
	// message and every receiver runs one bare crypto.VerifySignature (inline,
	// as ours does) against a key it already holds. Nothing is decoded, no
	// member is looked up, nothing is counted: ours ÷ this is how close our
	// whole message path comes to the floor that its signature sets.
	benchVerifyFloor
)

// benchPlain starts n plain libp2p hosts with gossipsub and no topic
// validator, joined to one topic, connected by connect. Queue sizes and
// validation workers are those of p2p.Service, so the variants differ only in
// how messages are authenticated.
func benchPlain(b *testing.B, n int, signing benchSigning, connect func(*testing.B, []host.Host)) *benchNet {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	bn := &benchNet{n: n, cancel: cancel}
	hosts := make([]host.Host, n)
	for i := range n {
		var priv p2pcrypto.PrivKey
		switch signing {
		case benchSignEd25519:
			k, _, err := p2pcrypto.GenerateEd25519Key(rand.Reader)
			if err != nil {
				bn.close()
				b.Fatal(err)
			}
			priv = k
		default:
			id, err := p2p.NewIdentity(seedKey(b, fmt.Sprintf("bench-plain-%d", i)))
			if err != nil {
				bn.close()
				b.Fatal(err)
			}
			priv = id.Priv
		}
		h := benchHost(b, priv)
		hosts[i] = h
		bn.closers = append(bn.closers, func() { h.Close() })
		opts := []pubsub.Option{
			pubsub.WithPeerOutboundQueueSize(256),
			pubsub.WithValidateQueueSize(1024),
			pubsub.WithValidateWorkers(runtime.GOMAXPROCS(0)),
		}
		if signing == benchNoSign || signing == benchVerifyFloor {
			opts = append(opts,
				pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
				pubsub.WithNoAuthor(),
				pubsub.WithMessageIdFn(func(m *pb.Message) string { return p2p.MessageID(m.Data) }),
			)
		}
		ps, err := pubsub.NewGossipSub(ctx, h, opts...)
		if err != nil {
			bn.close()
			b.Fatal(err)
		}
		topic, err := ps.Join(p2p.TopicName(benchNetwork, p2p.TopicJobs))
		if err != nil {
			bn.close()
			b.Fatal(err)
		}
		sub, err := topic.Subscribe(pubsub.WithBufferSize(1024))
		if err != nil {
			bn.close()
			b.Fatal(err)
		}
		bn.closers = append(bn.closers, sub.Cancel)
		publish := func(ctx context.Context, data []byte) error { return topic.Publish(ctx, data) }
		if signing == benchVerifyFloor {
			publish = benchFloorAuth(b, ps, topic, h.ID())
		}
		bn.publish = append(bn.publish, publish)
		bn.peers = append(bn.peers, func() int { return len(h.Network().Peers()) })
		self := h.ID()
		bn.receive(ctx, i, func(ctx context.Context) ([]byte, error) {
			m, err := sub.Next(ctx)
			if err != nil {
				return nil, err
			}
			if m.ReceivedFrom == self {
				return nil, nil // our own
			}
			if signing == benchVerifyFloor {
				return m.Data[benchFloorSigLen:], nil
			}
			return m.Data, nil
		})
	}
	connect(b, hosts)
	bn.hosts = hosts
	bn.repair = func(b *testing.B) { connect(b, hosts) }
	return bn
}

// benchFloorSigLen is the length of the verify floor's signature: r || s.
const benchFloorSigLen = 64

// benchFloorAuth registers node i's inline validator of the verify floor
// (benchVerifyFloor) on topic and returns its publish, which signs each
// message first (the 64-byte signature leads the data). Every node's key is
// the same one: the receiver verifies the publisher's signature of the
// message it got, under a key it holds; its own publishes it does not verify,
// as ours does not.
func benchFloorAuth(b *testing.B, ps *pubsub.PubSub, topic *pubsub.Topic, self peer.ID) func(context.Context, []byte) error {
	b.Helper()
	key := seedKey(b, "bench-floor")
	pub := ethcrypto.FromECDSAPub(&key.PublicKey)
	const sigLen = benchFloorSigLen
	err := ps.RegisterTopicValidator(topic.String(), func(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if from == self {
			return pubsub.ValidationAccept
		}
		if len(m.Data) < sigLen || !ethcrypto.VerifySignature(pub, ethcrypto.Keccak256(m.Data[sigLen:]), m.Data[:sigLen]) {
			return pubsub.ValidationReject
		}
		return pubsub.ValidationAccept
	}, pubsub.WithValidatorInline(true))
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, data []byte) error {
		sig, err := ethcrypto.Sign(ethcrypto.Keccak256(data), key)
		if err != nil {
			return err
		}
		return topic.Publish(ctx, append(sig[:sigLen:sigLen], data...))
	}
}

// benchHost is a plain libp2p host with the transport stack of p2p.Service
// (TCP, Noise, Yamux), listening on loopback.
func benchHost(b *testing.B, priv p2pcrypto.PrivKey) host.Host {
	b.Helper()
	h, err := libp2p.New(
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(benchListen),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
	)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// benchConnectAll connects every pair of hosts.
func benchConnectAll(b *testing.B, hosts []host.Host) {
	b.Helper()
	for i, h := range hosts {
		for _, o := range hosts[i+1:] {
			benchConnect(b, h, o)
		}
	}
}

// benchConnectGraph connects host i to host j for every j in graph[i].
func benchConnectGraph(graph [][]int) func(*testing.B, []host.Host) {
	return func(b *testing.B, hosts []host.Host) {
		b.Helper()
		for i, js := range graph {
			for _, j := range js {
				if hosts[i].Network().Connectedness(hosts[j].ID()) != network.Connected {
					benchConnect(b, hosts[i], hosts[j])
				}
			}
		}
	}
}

// benchConnect dials o from h, retrying: on a machine starved of CPU a
// handshake can time out.
func benchConnect(b *testing.B, h, o host.Host) {
	b.Helper()
	var err error
	for range 3 {
		if err = h.Connect(context.Background(), peer.AddrInfo{ID: o.ID(), Addrs: o.Addrs()}); err == nil {
			return
		}
		time.Sleep(time.Second)
	}
	b.Fatal(err)
}

// benchWaitPeers waits until every node has at least want peers.
func benchWaitPeers(b *testing.B, bn *benchNet, want int) {
	b.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok := true
		for _, p := range bn.peers {
			if p() < want {
				ok = false
				break
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			bn.close()
			b.Fatalf("timed out waiting for %d peers per node", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// benchSettle waits (up to 30 s) until the mean peer count of bn has not
// changed for 2 s.
func benchSettle(bn *benchNet) {
	last, same := -1.0, 0
	for deadline := time.Now().Add(30 * time.Second); same < 4 && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		if m := bn.meanPeers(); m == last {
			same++
		} else {
			last, same = m, 0
		}
	}
}

// benchWarmUp publishes probes from node 0 until every other node has
// received one, then gives gossipsub heartbeats time to build the meshes.
func benchWarmUp(b *testing.B, bn *benchNet) {
	b.Helper()
	run := benchRunSeq.Add(1)
	seen := make([]atomic.Bool, bn.n)
	bn.setHandler(func(i int, p []byte) {
		if r, _ := benchPayloadRun(p); r == run {
			seen[i].Store(true)
		}
	})
	defer bn.setHandler(nil)
	deadline := time.Now().Add(30 * time.Second)
	for seq := uint64(0); ; seq++ {
		all := true
		for i := 1; i < bn.n; i++ {
			all = all && seen[i].Load()
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("timed out warming up: probes do not reach every node")
		}
		if err := bn.publish[0](context.Background(), benchPayload(run, seq)); err != nil {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(benchMeshSettle)
}

// ---------------------------------------------------------------- interleaving

// benchVariant is one way of running gossip, built on first use.
type benchVariant struct {
	name  string
	build func(b *testing.B) *benchNet
}

// benchNets builds the variants' networks on first use and keeps them for
// every call of a sub-benchmark (growing b.N, -count); all of them run at
// once, so that slices of each can be interleaved. The caller closes them
// after b.Run.
type benchNets struct {
	variants []benchVariant
	nets     []*benchNet
}

// get builds each variant under the pprof label variant=<name>, which the
// goroutines its hosts start inherit, so that a -cpuprofile of a benchmark can
// be split by variant: go tool pprof -tagfocus variant=ours.
func (ns *benchNets) get(b *testing.B) []*benchNet {
	b.Helper()
	if ns.nets == nil {
		for _, v := range ns.variants {
			var bn *benchNet
			pprof.Do(context.Background(), pprof.Labels("variant", v.name), func(context.Context) { bn = v.build(b) })
			ns.nets = append(ns.nets, bn)
			benchWarmUp(b, bn)
		}
	}
	return ns.nets
}

func (ns *benchNets) close() {
	for _, bn := range slices.Backward(ns.nets) {
		bn.close()
	}
	ns.nets = nil
}

// benchGCs is the number of garbage collections this process has completed.
func benchGCs() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// benchCPUTime is the CPU time (user + system) this process has used.
func benchCPUTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchInterleave runs slice(v) for slices rounds of every variant (after
// letting the variant repair its connections), rotating which variant goes
// first, so that a change in machine load hits every
// variant alike: on a shared machine only ratios of interleaved runs hold.
func benchInterleave(b *testing.B, nets []*benchNet, slices int, slice func(v int)) {
	variants := len(nets)
	for s := range slices {
		for k := range variants {
			v := (s + k) % variants
			if nets[v].repair != nil {
				nets[v].repair(b)
			}
			slice(v)
		}
	}
}

// ---------------------------------------------------------------- (b) throughput

// BenchmarkGossipThroughput: node 0 publishes 256-byte messages, at most
// benchWindow in flight, to every other node's subscriber. One op gives each
// variant benchThroughputSlices slices of benchThroughputSlice, interleaved;
// a slice ends when every message published in it has been received by every
// subscriber (or nothing arrived for benchStall). Per variant: <v>-msg/s is
// messages received by all subscribers per second (receipts / (N-1) / time),
// <v>-ns/msg its inverse, <v>-cpu-µs/msg the process CPU time per such
// message, ours/<v> the ratio of ours to the baseline in msg/s and
// ours/<v>-by-cpu the same ratio from CPU cost (baseline CPU / ours), which
// holds when other processes starve this one of CPU;
// delivered-% is the lowest share of receipts that arrived over the variants
// (100 unless pubsub dropped some; drops are logged).
func BenchmarkGossipThroughput(b *testing.B) {
	for _, n := range []int{2, 10} {
		ns := &benchNets{variants: []benchVariant{
			{"ours", func(b *testing.B) *benchNet { return benchOurs(b, n, n-1) }},
			{"strictsign-secp256k1", func(b *testing.B) *benchNet { return benchPlain(b, n, benchSignSecp, benchConnectAll) }},
			{"strictsign-ed25519", func(b *testing.B) *benchNet { return benchPlain(b, n, benchSignEd25519, benchConnectAll) }},
			{"nosign", func(b *testing.B) *benchNet { return benchPlain(b, n, benchNoSign, benchConnectAll) }},
			{"verify-floor", func(b *testing.B) *benchNet { return benchPlain(b, n, benchVerifyFloor, benchConnectAll) }},
		}}
		if only := os.Getenv("BENCH_VARIANTS"); only != "" {
			// For profiling one variant: ours stays, the ratios are to it.
			keep := strings.Split(only, ",")
			ns.variants = slices.DeleteFunc(ns.variants, func(v benchVariant) bool {
				return v.name != "ours" && !slices.Contains(keep, v.name)
			})
		}
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			nets := ns.get(b)
			tallies := make([]benchTally, len(nets))
			b.ResetTimer()
			for range b.N {
				benchInterleave(b, nets, benchThroughputSlices, func(v int) {
					benchThroughputRun(b, nets[v], benchThroughputSlice, &tallies[v])
				})
			}
			b.StopTimer()
			delivered := 100.0
			for v, t := range tallies {
				name := ns.variants[v].name
				b.ReportMetric(t.rate(), name+"-msg/s")
				b.ReportMetric(1e9/t.rate(), name+"-ns/msg")
				b.ReportMetric(float64(t.cpuPerMsg())/float64(time.Microsecond), name+"-cpu-µs/msg")
				if v > 0 {
					b.ReportMetric(tallies[0].rate()/t.rate(), "ours/"+name)
					b.ReportMetric(float64(t.cpuPerMsg())/float64(tallies[0].cpuPerMsg()), "ours/"+name+"-by-cpu")
				}
				delivered = min(delivered, t.delivered())
				if t.got < t.want {
					b.Logf("%s: %d of %d receipts (%.2f%%); %d slices stalled for %s",
						name, t.got, t.want, t.delivered(), t.stalls, benchStall)
				}
			}
			b.ReportMetric(delivered, "delivered-%")
		})
		ns.close()
	}
}

const (
	benchThroughputSlice  = 400 * time.Millisecond
	benchThroughputSlices = 10
)

// benchTally accumulates a throughput variant's slices.
type benchTally struct {
	subscribers int64
	want, got   int64
	elapsed     time.Duration
	cpu         time.Duration
	stalls      int
}

// cpuPerMsg is the process CPU time (user + system, all nodes) per message
// received by every subscriber: unlike msg/s it barely depends on how much
// CPU other processes leave us.
func (t benchTally) cpuPerMsg() time.Duration {
	msgs := float64(t.got) / float64(max(t.subscribers, 1))
	if msgs == 0 {
		return 0
	}
	return time.Duration(float64(t.cpu) / msgs)
}

// rate is messages received by every subscriber per second.
func (t benchTally) rate() float64 {
	if t.elapsed == 0 || t.subscribers == 0 {
		return 0
	}
	return float64(t.got) / float64(t.subscribers) / t.elapsed.Seconds()
}

func (t benchTally) delivered() float64 {
	if t.want == 0 {
		return 100
	}
	return 100 * float64(t.got) / float64(t.want)
}

// benchThroughputRun publishes from node 0 for d, keeping at most
// benchWindow messages in flight, then waits for the last receipts.
func benchThroughputRun(b *testing.B, bn *benchNet, d time.Duration, t *benchTally) {
	subscribers := int64(bn.n - 1)
	window := int64(benchWindow)
	run := benchRunSeq.Add(1)
	var got atomic.Int64
	wake := make(chan struct{}, 1)
	bn.setHandler(func(_ int, p []byte) {
		if r, _ := benchPayloadRun(p); r != run {
			return
		}
		got.Add(1)
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	defer bn.setHandler(nil)
	// lost counts receipts given up on after a stall, so that drops cannot
	// close the window for good.
	var lost int64
	reach := func(limit int64) bool {
		for got.Load()+lost < limit {
			select {
			case <-wake:
			case <-time.After(benchStall):
				if got.Load()+lost < limit {
					return false
				}
			}
		}
		return true
	}
	ctx := context.Background()
	cpu0 := benchCPUTime(b)
	start := time.Now()
	end := start.Add(d)
	var sent int64
	for ; time.Now().Before(end); sent++ {
		// In flight: published and not yet received by every subscriber,
		// on average over the subscribers.
		if limit := (sent - window + 1) * subscribers; limit > 0 && !reach(limit) {
			t.stalls++
			lost = sent*subscribers - got.Load()
			b.Logf("stalled: %d of %d receipts after %d messages; publisher has %d peers, mean %.1f",
				got.Load(), sent*subscribers, sent, bn.peers[0](), bn.meanPeers())
		}
		if err := bn.publish[0](ctx, benchPayload(run, uint64(sent))); err != nil {
			b.Fatal(err)
		}
	}
	if !reach(sent * subscribers) {
		t.stalls++
		b.Logf("stalled draining: %d of %d receipts after %d messages; publisher has %d peers, mean %.1f",
			got.Load(), sent*subscribers, sent, bn.peers[0](), bn.meanPeers())
	}
	t.elapsed += time.Since(start)
	t.cpu += benchCPUTime(b) - cpu0
	t.subscribers = subscribers
	t.want += sent * subscribers
	t.got += got.Load()
}

// ---------------------------------------------------------------- (c) latency

const (
	benchLatencyNodes  = 30
	benchLatencyTarget = 8
	benchLatencySlice  = 2 * time.Second
	benchLatencySlices = 8
)

// BenchmarkGossipLatency: 30 nodes. Ours runs with TargetPeers 8 and finds
// its peers itself (discovery, DHT, inbound connections); the baseline's
// hosts are then connected in the very graph ours formed, so that both
// gossip over the same topology. In one op each variant gets
// benchLatencySlices slices of benchLatencySlice, interleaved; in a slice a
// random node publishes a 256-byte message every 10 ms (100 msg/s) carrying
// its send time, and every other node's subscriber records the delay from
// just before Publish (so ours includes signing) to receipt; a slice ends
// once every receipt is in (or nothing arrived for benchStall). Per variant:
// <v>-p50-ms, <v>-p99-ms and <v>-max-ms over the op's receipts, <v>-peers the
// mean connected peers per node, <v>-cores the CPU the whole process used
// while the variant ran (both networks, so the idle one adds a little),
// <v>-gcs the garbage collections during its slices per op (a slice starts
// just after one and runs with the collector off: see below);
// p99-ours/nosign is the ratio of the p99s;
// delivered-% is the lowest share of receipts that arrived.
func BenchmarkGossipLatency(b *testing.B) {
	n, target := benchLatencyNodes, benchLatencyTarget
	var ours *benchNet
	ns := &benchNets{variants: []benchVariant{
		{"ours", func(b *testing.B) *benchNet {
			ours = benchOurs(b, n, target)
			return ours
		}},
		{"nosign", func(b *testing.B) *benchNet {
			benchSettle(ours)
			bn := benchPlain(b, n, benchNoSign, benchConnectGraph(ours.neighbours()))
			// Follow ours' graph as it grows (its DHT keeps dialling).
			bn.repair = func(b *testing.B) { benchConnectGraph(ours.neighbours())(b, bn.hosts) }
			return bn
		}},
	}}
	b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
		nets := ns.get(b)
		delays := make([][]time.Duration, len(nets))
		want := make([]int, len(nets))
		cpu := make([]time.Duration, len(nets))
		wall := make([]time.Duration, len(nets))
		gcs := make([]uint64, len(nets))
		b.ResetTimer()
		for range b.N {
			benchInterleave(b, nets, benchLatencySlices, func(v int) {
				// Both 30-node networks share this process's heap (about
				// 100 MB live), whose collections mark for 0.2-0.4 s on 2
				// cores and delay every receipt of all 60 nodes meanwhile:
				// an artefact of hosting them together (a node in its own
				// process has a sixtieth of that heap) that decided the p99
				// of whichever variant's slice it fell in. So a slice starts
				// just after a collection and runs with the collector off
				// (a slice allocates well under 1 GiB; the limit below is a
				// backstop); <v>-gcs counts collections inside slices.
				runtime.GC()
				gcPercent := debug.SetGCPercent(-1)
				memLimit := debug.SetMemoryLimit(4 << 30)
				gc0 := benchGCs()
				cpu0, start := benchCPUTime(b), time.Now()
				got, w := benchLatencySliceRun(b, nets[v], benchLatencySlice)
				cpu[v] += benchCPUTime(b) - cpu0
				wall[v] += time.Since(start)
				gcs[v] += benchGCs() - gc0
				debug.SetGCPercent(gcPercent)
				debug.SetMemoryLimit(memLimit)
				delays[v] = append(delays[v], got...)
				want[v] += w
			})
		}
		b.StopTimer()
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		delivered := 100.0
		p99 := make([]time.Duration, len(nets))
		for v, ds := range delays {
			name := ns.variants[v].name
			slices.Sort(ds)
			p99[v] = benchPercentile(ds, 99)
			b.ReportMetric(ms(benchPercentile(ds, 50)), name+"-p50-ms")
			b.ReportMetric(ms(p99[v]), name+"-p99-ms")
			b.ReportMetric(ms(benchPercentile(ds, 100)), name+"-max-ms")
			b.ReportMetric(nets[v].meanPeers(), name+"-peers")
			b.ReportMetric(cpu[v].Seconds()/wall[v].Seconds(), name+"-cores")
			b.ReportMetric(float64(gcs[v])/float64(b.N), name+"-gcs")
			share := 100 * float64(len(ds)) / float64(want[v])
			delivered = min(delivered, share)
			if len(ds) < want[v] {
				b.Logf("%s: %d of %d receipts (%.2f%%)", name, len(ds), want[v], share)
			}
		}
		if p99[1] > 0 {
			b.ReportMetric(float64(p99[0])/float64(p99[1]), "p99-ours/nosign")
		}
		b.ReportMetric(delivered, "delivered-%")
	})
	ns.close()
}

// benchLatencySliceRun publishes from random nodes at benchLatencyRate for d
// and returns the delays of the receipts and how many receipts were due.
func benchLatencySliceRun(b *testing.B, bn *benchNet, d time.Duration) ([]time.Duration, int) {
	run := benchRunSeq.Add(1)
	var (
		mu     sync.Mutex
		delays []time.Duration
	)
	bn.setHandler(func(_ int, p []byte) {
		now := time.Now()
		r, sent := benchPayloadRun(p)
		if r != run {
			return
		}
		mu.Lock()
		delays = append(delays, now.Sub(time.Unix(0, int64(sent))))
		mu.Unlock()
	})
	defer bn.setHandler(nil)
	ctx := context.Background()
	interval := time.Second / benchLatencyRate
	start := time.Now()
	published := 0
	for k := range int(d / interval) {
		time.Sleep(time.Until(start.Add(time.Duration(k) * interval)))
		from := mrand.IntN(bn.n)
		if err := bn.publish[from](ctx, benchPayload(run, uint64(time.Now().UnixNano()))); err != nil {
			b.Fatal(err)
		}
		published++
	}
	want := published * (bn.n - 1)
	for last, lastAt := -1, time.Now(); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		got := len(delays)
		mu.Unlock()
		if got >= want {
			break
		}
		if got != last {
			last, lastAt = got, time.Now()
		} else if time.Since(lastAt) > benchStall {
			break
		}
	}
	bn.setHandler(nil)
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(delays), want
}

// benchPercentile is the nearest-rank percentile of sorted ds.
func benchPercentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	k := int(math.Ceil(p/100*float64(len(ds)))) - 1
	return ds[min(max(k, 0), len(ds)-1)]
}

// ---------------------------------------------------------------- (d) convergence

const benchConvergeNodes = 30

// BenchmarkGossipConvergence: one op is a cold start of 30 nodes with the
// default config (loopback TCP). The dev-chain registry already holds the 30
// nodes with their listen addresses; the clock (ns/op) runs from starting
// every node's registry view and service (each service starts once its view
// has synced, as the daemon does) until every node has min(6, N-1) registered
// peers and an address book holding every other node. sync-ms, peers-ms and
// book-ms are when the last view synced, when the last node reached its peers
// and when the last address book completed. floor-ms, measured in the same
// op just before: 30 plain hosts (same transport, no registry, gate,
// handshake, DHT or gossip) each dial 6 random others whose addresses they are
// given, until every host has 6 peers: what connecting alone costs here.
func BenchmarkGossipConvergence(b *testing.B) {
	n := benchConvergeNodes
	want := min(6, n-1)
	b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
		var synced, peers, book, floor time.Duration
		for range b.N {
			b.StopTimer()
			floor += benchConvergePlain(b, n, want)
			s, p, k := benchConvergeOurs(b, n, want)
			synced, peers, book = synced+s, peers+p, book+k
		}
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
		b.ReportMetric(ms(synced), "sync-ms")
		b.ReportMetric(ms(peers), "peers-ms")
		b.ReportMetric(ms(book), "book-ms")
		b.ReportMetric(ms(floor), "floor-ms")
	})
}

// benchAlloc funds the admin and the operators at genesis.
func benchAlloc(admin *chain.Signer, operators []*chain.Signer) map[common.Address]*big.Int {
	alloc := map[common.Address]*big.Int{admin.Address: new(big.Int).Mul(stake, big.NewInt(10))}
	for _, o := range operators {
		alloc[o.Address] = new(big.Int).Mul(stake, big.NewInt(2))
	}
	return alloc
}

// benchConvergeOurs runs one cold start; the timer runs only from the start
// of the views and services to convergence.
func benchConvergeOurs(b *testing.B, n, want int) (synced, peered, booked time.Duration) {
	b.Helper()
	b.StopTimer()
	ctx := context.Background()
	admin := chain.NewKeySigner(seedKey(b, "bench-admin"))
	operators := make([]*chain.Signer, n)
	for i := range n {
		operators[i] = chain.NewKeySigner(seedKey(b, fmt.Sprintf("bench-operator-%d", i)))
	}
	c, err := devchain.New(devchain.Config{Alloc: benchAlloc(admin, operators), Automine: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	registry, _, err := chain.Deploy(ctx, c.Client(), admin, chain.DeployParams{MinStake: stake, UnbondingPeriod: time.Hour}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		b.Fatal(err)
	}

	type benchConvNode struct {
		view *chain.Registry
		svc  *p2p.Service
	}
	nodes := make([]benchConvNode, n)
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		for _, nd := range nodes {
			if nd.svc != nil {
				nd.svc.Close()
			}
		}
		cancel()
		wg.Wait()
	}()
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range n {
		keys[i] = seedKey(b, fmt.Sprintf("bench-conv-node-%d", i))
		id, err := p2p.NewIdentity(keys[i])
		if err != nil {
			b.Fatal(err)
		}
		view, err := chain.NewRegistry(c.Client(), registry, chain.WithLogger(benchLogger))
		if err != nil {
			b.Fatal(err)
		}
		cfg := p2p.DefaultConfig(benchNetwork)
		cfg.ChainID = devchain.ChainID
		cfg.Registry = registry
		cfg.RegistryBlock = view.Block
		cfg.ListenAddrs = []string{benchListen}
		cfg.Registerer = prometheus.NewRegistry()
		cfg.Logger = benchLogger
		svc, err := p2p.New(id, node.NewMembership(view), cfg)
		if err != nil {
			b.Fatal(err)
		}
		nodes[i] = benchConvNode{view: view, svc: svc}
	}
	// Register all n, concurrently (one operator account each).
	errs := make(chan error, n)
	for i, nd := range nodes {
		go func() {
			tx, err := chain.NewTransactor(ctx, c.Client(), registry, operators[i], chain.WithReceiptPoll(5*time.Millisecond))
			if err == nil {
				var addrs []string
				for _, a := range nd.svc.Host().Addrs() {
					addrs = append(addrs, a.String())
				}
				_, _, err = tx.Register(ctx, keys[i], addrs, "", stake)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}

	b.StartTimer()
	start := time.Now()
	startErrs := make(chan error, n)
	var syncedAt atomic.Int64
	for _, nd := range nodes {
		wg.Add(2)
		go func() {
			defer wg.Done()
			nd.view.Run(runCtx)
		}()
		go func() {
			defer wg.Done()
			if err := nd.view.WaitSynced(runCtx); err != nil {
				startErrs <- err
				return
			}
			// Last one wins: the time the slowest view synced.
			d := int64(time.Since(start))
			for {
				old := syncedAt.Load()
				if d <= old || syncedAt.CompareAndSwap(old, d) {
					break
				}
			}
			startErrs <- nd.svc.Start()
		}()
	}
	for range n {
		if err := <-startErrs; err != nil {
			b.Fatal(err)
		}
	}
	deadline := start.Add(60 * time.Second)
	for peered == 0 || booked == 0 {
		allPeers, allBooks := true, true
		for _, nd := range nodes {
			allPeers = allPeers && nd.svc.PeerCount() >= want
			allBooks = allBooks && len(nd.svc.AddrBook().All()) >= n-1
		}
		now := time.Since(start)
		if allPeers && peered == 0 {
			peered = now
		}
		if allBooks && booked == 0 {
			booked = now
		}
		if allPeers && allBooks {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("no convergence in 60 s: peers reached at %s, books at %s", peered, booked)
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()
	return time.Duration(syncedAt.Load()), peered, booked
}

// benchConvergePlain times n plain hosts dialling want random others each,
// concurrently, until every host has want peers. It leaves the benchmark
// timer alone.
func benchConvergePlain(b *testing.B, n, want int) time.Duration {
	b.Helper()
	hosts := make([]host.Host, n)
	for i := range n {
		id, err := p2p.NewIdentity(seedKey(b, fmt.Sprintf("bench-conv-plain-%d", i)))
		if err != nil {
			b.Fatal(err)
		}
		hosts[i] = benchHost(b, id.Priv)
	}
	defer func() {
		for _, h := range hosts {
			h.Close()
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n*want)
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dialled := 0
			for _, j := range mrand.Perm(n) {
				if dialled == want {
					break
				}
				if j == i {
					continue
				}
				o := hosts[j]
				if err := h.Connect(context.Background(), peer.AddrInfo{ID: o.ID(), Addrs: o.Addrs()}); err != nil {
					errs <- fmt.Errorf("plain host %d dial %d: %w", i, j, err)
				}
				dialled++
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	for _, h := range hosts {
		if got := len(h.Network().Peers()); got < want {
			b.Fatalf("plain host has %d peers, want %d", got, want)
		}
	}
	return took
}
