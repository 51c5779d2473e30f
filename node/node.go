package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"validator/api"
	"validator/chain"
	"validator/evidence"
	"validator/p2p"
	"validator/reputation"
	"validator/store"
)

// Options are what a node needs besides its configuration.
type Options struct {
	Config  Config
	NodeKey *ecdsa.PrivateKey
	Version string
	Logger  *slog.Logger
	// Backend, if set, is used instead of dialling chain.rpc_url (the embedded
	// devnet passes its in-process client).
	Backend chain.Backend
	// SyncTimeout bounds the wait for the first registry snapshot (default 60s).
	SyncTimeout time.Duration
}

// Node is one validator: store → chain → p2p → liveness → API, started in that
// order and stopped in reverse.
type Node struct {
	opts    Options
	cfg     Config
	log     *slog.Logger
	network chain.Network
	reg     *prometheus.Registry

	st       *store.Store
	client   interface{ Close() }
	backend  chain.Backend
	view     *chain.Registry
	members  *Membership
	standing *standing
	rec      *evidence.Recorder
	live     *Liveness
	svc      *p2p.Service
	api      apiServer

	cancel context.CancelFunc
	wg     sync.WaitGroup
	// stopWatch ends the watchers (own standing, health logs), which read the
	// API and the view; Close stops them first.
	stopWatch context.CancelFunc
	watchWG   sync.WaitGroup
	started   time.Time
	closed    sync.Once
	errMu     sync.Mutex
	runErr    error
}

// apiServer is the local API as the node sees it (set by api wiring).
type apiServer interface {
	Addr() string
	Readiness() api.Readiness
	Close(ctx context.Context) error
}

// ResolveNetwork turns the chain section into a network: a preset with
// overrides, or a custom network that sets everything (chain.Section.Resolve).
func ResolveNetwork(c ChainConfig) (chain.Network, error) { return c.Resolve() }

// New prepares a node; nothing runs until Start.
func New(opts Options) (*Node, error) {
	if opts.NodeKey == nil {
		return nil, errors.New("no node key: run `validator init` or set keys.node_key")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SyncTimeout == 0 {
		opts.SyncTimeout = 60 * time.Second
	}
	network, err := ResolveNetwork(opts.Config.Chain)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerBuildInfo(reg, opts.Version)
	return &Node{opts: opts, cfg: opts.Config, log: opts.Logger, network: network, reg: reg}, nil
}

// Metrics is the node's Prometheus registry (View is the chain registry).
func (n *Node) Metrics() *prometheus.Registry { return n.reg }

// Network is the resolved network.
func (n *Node) Network() chain.Network { return n.network }

// Service is the p2p service (after Start).
func (n *Node) Service() *p2p.Service { return n.svc }

// View is the registry view (after Start).
func (n *Node) View() *chain.Registry { return n.view }

// Liveness is the liveness wiring (after Start).
func (n *Node) Liveness() *Liveness { return n.live }

// Recorder is the evidence recorder (after Start).
func (n *Node) Recorder() *evidence.Recorder { return n.rec }

// Started is when Start finished.
func (n *Node) Started() time.Time { return n.started }

// Start brings the node up in order. On failure it stops what it started and
// returns an error that says what to do next.
func (n *Node) Start(ctx context.Context) (err error) {
	runCtx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	watchCtx, stopWatch := context.WithCancel(context.Background())
	n.stopWatch = stopWatch
	defer func() {
		if err != nil {
			n.Close(context.Background())
		}
	}()
	cfg := n.cfg
	id, err := p2p.NewIdentity(n.opts.NodeKey)
	if err != nil {
		return err
	}
	n.log.Info("starting validator", "network", n.network.Name, "chain_id", n.network.ChainID, "registry", n.network.Registry, "node", id.NodeID, "peer_id", id.PeerID, "version", n.opts.Version)

	// store
	if n.st, err = store.Open(cfg.Store.DataDir, append(cfg.Store.Options(), store.WithLogger(n.log), store.WithRegisterer(n.reg))...); err != nil {
		return fmt.Errorf("open store in %s: %w", cfg.Store.DataDir, err)
	}

	// chain
	n.backend = n.opts.Backend
	if n.backend == nil {
		c, err := chain.Dial(ctx, n.network.RPCURL, n.network.ChainID, chain.WithDialLogger(n.log))
		if err != nil {
			return err
		}
		n.client, n.backend = c, c
	}
	if n.view, err = chain.NewRegistry(n.backend, n.network.Registry, chain.WithNetwork(n.network), chain.WithLogger(n.log), chain.WithRegisterer(n.reg), chain.WithPollInterval(time.Second)); err != nil {
		return err
	}
	n.goRun(func() error { return n.view.Run(runCtx) })
	sctx, scancel := context.WithTimeout(ctx, n.opts.SyncTimeout)
	err = n.view.WaitSynced(sctx)
	scancel()
	if err != nil {
		return fmt.Errorf("%w (rpc %s)", err, RedactURL(n.network.RPCURL))
	}
	// own standing: refuse a key that is not registered or has exited; start
	// a registered key the confirmed view does not list yet as pending.
	lookup := func(ctx context.Context) (chain.Node, error) {
		return chain.ReadNode(ctx, n.backend, n.network.Registry, id.NodeID)
	}
	if n.standing, err = newStanding(id.NodeID, id.PeerID, n.view, lookup, n.log, n.reg); err != nil {
		return err
	}
	state, reason, attrs := StateActive, "", []any{"block", n.view.Block()}
	if _, ok := n.view.Node(id.NodeID); !ok {
		state, reason, attrs = n.standing.classify(ctx, nil)
	}
	switch state {
	case StateExited:
		return fmt.Errorf("node key %s: %s on %s; a node key registers only once: create a new key with `validator init`, register it with `validator register --stake <ETH>` and start with it", id.NodeID, reason, n.network.Name)
	case StateNotRegistered:
		return fmt.Errorf("node key %s is not registered (or not active) in registry %s on %s: register it with `validator register --stake <ETH>` and start again", id.NodeID, n.network.Registry, n.network.Name)
	}
	n.standing.set(state, reason, attrs)
	n.goWatch(func() error { return n.standing.run(watchCtx) })
	n.members = NewMembership(n.view)

	// reputation + evidence
	tracker, err := reputation.NewTracker(cfg.Liveness.Tracker())
	if err != nil {
		return fmt.Errorf("liveness config: %w", err)
	}
	if n.rec, err = evidence.NewRecorder(tracker, n.st, evidence.WithLogger(n.log), evidence.WithRegisterer(n.reg), evidence.WithActive(n.standing.Active)); err != nil {
		return err
	}
	restored, err := n.rec.Restore()
	if err != nil {
		return fmt.Errorf("restore liveness from the store: %w", err)
	}
	n.live = NewLiveness(n.rec, n.st, n.members, n.network.Name)

	// p2p
	pc := p2p.FromSections(n.network.Name, cfg.Network, cfg.Gossip, cfg.Liveness)
	pc.ChainID, pc.Registry, pc.Version = n.network.ChainID, n.network.Registry, n.opts.Version
	pc.RegistryBlock = n.view.Block
	pc.Logger, pc.Registerer = n.log, n.reg
	n.live.Configure(&pc)
	if n.svc, err = p2p.New(id, n.members, pc); err != nil {
		return err
	}
	if err := n.live.Attach(n.svc); err != nil {
		return err
	}
	if err := n.svc.Start(); err != nil {
		return err
	}
	n.goRun(func() error { return n.live.Run(runCtx, cfg.Liveness.SummaryInterval.D()) })
	var seeds int
	for _, m := range n.members.Members() {
		if m.PeerID != id.PeerID && len(m.Addrs) > 0 {
			seeds++
		}
	}
	n.log.Info("p2p up", "listen", n.svc.Host().Addrs(), "registry_peers", seeds, "bootstrap_peers", len(cfg.Network.BootstrapPeers), "topics", strings.Join(p2p.StandardTopics, ","), "restored_peers", restored)

	// API
	if n.api, err = startAPI(n); err != nil {
		return err
	}
	n.started = time.Now()
	// "started", not "ready": readiness is what /readyz says, and the health
	// watcher logs it (ready / not ready, with the failing conditions) as it
	// changes.
	n.log.Info("started", "api", "http://"+n.api.Addr(), "registration", n.standing.State())
	n.goWatch(func() error { return n.watchHealth(watchCtx, healthEvery) })
	return nil
}

// goWatch runs f until Close stops the watchers.
func (n *Node) goWatch(f func() error) {
	n.watchWG.Add(1)
	go func() {
		defer n.watchWG.Done()
		if err := f(); err != nil {
			n.errMu.Lock()
			n.runErr = errors.Join(n.runErr, err)
			n.errMu.Unlock()
		}
	}()
}

func (n *Node) goRun(f func() error) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := f(); err != nil {
			n.errMu.Lock()
			n.runErr = errors.Join(n.runErr, err)
			n.errMu.Unlock()
		}
	}()
}

// Close stops everything in reverse order of start, bounded by ctx. It is
// idempotent.
func (n *Node) Close(ctx context.Context) error {
	var errs []error
	n.closed.Do(func() {
		if n.stopWatch != nil {
			n.stopWatch()
			if err := waitGroup(ctx, &n.watchWG); err != nil {
				errs = append(errs, err)
			}
		}
		if n.api != nil {
			errs = append(errs, n.api.Close(ctx))
		}
		if n.svc != nil {
			errs = append(errs, n.svc.Close())
		}
		if n.cancel != nil {
			n.cancel() // liveness (final evidence flush) and the registry view
		}
		if err := waitGroup(ctx, &n.wg); err != nil {
			errs = append(errs, err)
		}
		if n.client != nil {
			n.client.Close()
		}
		if n.st != nil {
			errs = append(errs, n.st.Close())
		}
		n.errMu.Lock()
		errs = append(errs, n.runErr)
		n.errMu.Unlock()
	})
	return errors.Join(errs...)
}

// waitGroup waits for wg, or until ctx ends.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shutdown: %w", ctx.Err())
	}
}

// APIAddr is the local API's address (after Start).
func (n *Node) APIAddr() string {
	if n.api == nil {
		return ""
	}
	return n.api.Addr()
}
