package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"validator/accountability"
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
	// ShutdownTimeout bounds Run's stop, and Start's stop of what it started
	// when it fails (default 30s).
	ShutdownTimeout time.Duration
	// Operator is the account that sends offline reports when
	// accountability.submit is on (accountability.keystore, or the staking
	// account; nil otherwise).
	Operator *chain.Signer
}

// Node is one validator: store → chain → p2p → liveness → API, started in that
// order and stopped in reverse (see components).
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
	standing *chain.Standing
	rec      *evidence.Recorder
	live     *Liveness
	svc      *p2p.Service
	api      apiServer

	// acctDomain is the registry's accountability parameters (read at
	// start); acct attests and reports (nil when accountability.enabled is
	// off).
	acctDomain *accountability.Domain
	acct       *accountability.Service

	lc      *lifecycle
	started time.Time
	// tuneComponents, if set, adjusts the components before Start (tests
	// wrap or add components with it).
	tuneComponents func([]component) []component
}

// apiServer is the local API as the node sees it (set by api wiring).
type apiServer interface {
	Addr() string
	Readiness() api.Readiness
	Failed() <-chan error
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
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	network, err := ResolveNetwork(opts.Config.Chain)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerBuildInfo(reg, opts.Version)
	return &Node{opts: opts, cfg: opts.Config, log: opts.Logger, network: network, reg: reg, lc: newLifecycle()}, nil
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

// Start brings the node up: it starts the components in order (see
// components) and leaves their loops running. On an error it stops what it
// started and returns an error that says what to do next. Run is Start, a
// wait for ctx or the first failure, and Close.
func (n *Node) Start(ctx context.Context) error {
	id, err := p2p.NewIdentity(n.opts.NodeKey)
	if err != nil {
		return err
	}
	n.log.Info("starting validator", "network", n.network.Name, "chain_id", n.network.ChainID, "registry", n.network.Registry, "node", id.NodeID, "peer_id", id.PeerID, "version", n.opts.Version)
	comps := n.components(id)
	if n.tuneComponents != nil {
		comps = n.tuneComponents(comps)
	}
	if err := n.lc.start(ctx, comps); err != nil {
		sctx, cancel := context.WithTimeout(context.Background(), n.opts.ShutdownTimeout)
		defer cancel()
		if serr := n.lc.stop(sctx); serr != nil {
			return errors.Join(err, serr)
		}
		return err
	}
	return nil
}

// Run runs the node until ctx ends or a component fails, then stops it in
// reverse order within Options.ShutdownTimeout. It returns the first failure,
// wrapped with the failing component's name, joined with any error of
// stopping; nil after ctx ended and everything stopped.
func (n *Node) Run(ctx context.Context) error {
	if err := n.Start(ctx); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	select {
	case <-ctx.Done():
		n.log.Info("shutting down")
	case <-n.lc.Failed():
		n.log.Info("shutting down: a component failed")
	}
	sctx, cancel := context.WithTimeout(context.Background(), n.opts.ShutdownTimeout)
	defer cancel()
	if err := n.Close(sctx); err != nil {
		return err
	}
	n.log.Info("stopped")
	return nil
}

// components are the node's parts in start order: store → registry view →
// own standing → reputation and evidence → accountability (parameters, the
// attestation check) → p2p → liveness → attestations → API → health watcher.
// They stop in reverse.
func (n *Node) components(id p2p.Identity) []component {
	cfg := n.cfg
	var restored int
	return []component{{
		name: "store",
		start: func(context.Context) (err error) {
			if n.st, err = store.Open(cfg.Store.DataDir, append(cfg.Store.Options(), store.WithLogger(n.log), store.WithRegisterer(n.reg))...); err != nil {
				return fmt.Errorf("open store in %s: %w", cfg.Store.DataDir, err)
			}
			return nil
		},
		stop: func(context.Context) error {
			if n.st == nil {
				return nil
			}
			return n.st.Close()
		},
	}, {
		name: "registry view",
		start: func(ctx context.Context) (err error) {
			n.backend = n.opts.Backend
			if n.backend == nil {
				c, err := chain.Dial(ctx, n.network.RPCURL, n.network.ChainID, chain.WithDialLogger(n.log))
				if err != nil {
					return err
				}
				n.client, n.backend = c, c
			}
			n.view, err = chain.NewRegistry(n.backend, n.network.Registry, chain.WithNetwork(n.network), chain.WithLogger(n.log), chain.WithRegisterer(n.reg), chain.WithPollInterval(time.Second))
			return err
		},
		run: func(ctx context.Context) error { return n.view.Run(ctx) },
		stop: func(context.Context) error {
			if n.client != nil {
				n.client.Close()
			}
			return nil
		},
	}, {
		name: "standing",
		start: func(ctx context.Context) (err error) {
			sctx, scancel := context.WithTimeout(ctx, n.opts.SyncTimeout)
			err = n.view.WaitSynced(sctx)
			scancel()
			if err != nil {
				return fmt.Errorf("%w (rpc %s)", err, RedactURL(n.network.RPCURL))
			}
			// own standing: refuse a key that is not registered or has exited; start
			// a registered key the confirmed view does not list yet as pending.
			if n.standing, err = chain.NewStanding(n.view, id.NodeID, id.PeerID, n.log, n.reg); err != nil {
				return err
			}
			v := n.standing.Classify(ctx)
			switch v.State {
			case chain.StandingExited:
				return fmt.Errorf("node key %s: %s on %s; a node key registers only once: create a new key with `validator init`, register it with `validator register --stake <ETH>` and start with it", id.NodeID, v.Reason, n.network.Name)
			case chain.StandingNotRegistered:
				return fmt.Errorf("node key %s is not registered (or not active) in registry %s on %s: register it with `validator register --stake <ETH>` and start again", id.NodeID, n.network.Registry, n.network.Name)
			}
			n.standing.Record(v)
			n.members = NewMembership(n.view)
			return nil
		},
		run: func(ctx context.Context) error {
			// Standing.Run ends early only when the view stops, and the
			// registry view's component reports that.
			err := n.standing.Run(ctx)
			<-ctx.Done()
			return err
		},
	}, {
		name: "evidence",
		start: func(context.Context) error {
			tracker, err := reputation.NewTracker(cfg.Liveness.Tracker())
			if err != nil {
				return fmt.Errorf("liveness config: %w", err)
			}
			if n.rec, err = evidence.NewRecorder(tracker, n.st, evidence.WithLogger(n.log), evidence.WithRegisterer(n.reg), evidence.WithActive(n.standing.Active)); err != nil {
				return err
			}
			if restored, err = n.rec.Restore(); err != nil {
				return fmt.Errorf("restore liveness from the store: %w", err)
			}
			n.live = NewLiveness(n.rec, n.st, n.members, n.network.Name)
			return nil
		},
	}, {
		name:  "accountability",
		start: n.setupAccountability,
	}, {
		name: "p2p",
		start: func(context.Context) (err error) {
			pc := n.p2pConfig()
			if n.svc, err = p2p.New(id, n.members, pc); err != nil {
				return err
			}
			if err := n.live.Attach(n.svc); err != nil {
				return err
			}
			if err := n.svc.Start(); err != nil {
				return err
			}
			var seeds int
			for _, m := range n.members.Members() {
				if m.PeerID != id.PeerID && len(m.Addrs) > 0 {
					seeds++
				}
			}
			n.log.Info("p2p up", "listen", n.svc.Host().Addrs(), "registry_peers", seeds, "bootstrap_peers", len(cfg.Network.BootstrapPeers), "topics", strings.Join(p2p.StandardTopics, ","), "restored_peers", restored)
			return nil
		},
		stop: func(context.Context) error {
			if n.svc == nil {
				return nil
			}
			return n.svc.Close()
		},
	}, {
		name: "liveness",
		run:  func(ctx context.Context) error { return n.live.Run(ctx, cfg.Liveness.SummaryInterval.D()) },
	}, {
		name: "attestations",
		run:  n.runAccountability,
	}, {
		name: "api",
		start: func(context.Context) (err error) {
			if n.api, err = startAPI(n); err != nil {
				return err
			}
			n.started = time.Now()
			// "started", not "ready": readiness is what /readyz says, and the health
			// watcher logs it (ready / not ready, with the failing conditions) as it
			// changes.
			n.log.Info("started", "api", "http://"+n.api.Addr(), "registration", n.standing.State())
			return nil
		},
		run: func(ctx context.Context) error {
			select {
			case <-ctx.Done():
				return nil
			case err := <-n.api.Failed():
				return err
			}
		},
		stop: func(ctx context.Context) error {
			if n.api == nil {
				return nil
			}
			return n.api.Close(ctx)
		},
	}, {
		name: "health watcher",
		run:  func(ctx context.Context) error { return n.watchHealth(ctx, healthEvery) },
	}}
}

// p2pConfig is the p2p service's configuration (after the evidence
// component set up liveness).
func (n *Node) p2pConfig() p2p.Config {
	cfg := n.cfg
	pc := p2p.FromSections(n.network.Name, cfg.Network, cfg.Gossip, cfg.Liveness)
	pc.ChainID, pc.Registry, pc.Version = n.network.ChainID, n.network.Registry, n.opts.Version
	pc.RegistryBlock = n.view.Block
	pc.Logger, pc.Registerer = n.log, n.reg
	n.live.Configure(&pc)
	if n.acctDomain != nil {
		pc.PayloadChecks = map[string]p2p.PayloadCheck{p2p.TopicAttestations: n.attestationCheck}
	}
	return pc
}

// Close stops the node's components in reverse order of start, each one
// only once everything started after it has stopped, bounded by ctx. It
// returns the first failure of a running component, if any, and the errors
// of stopping. When a component does not stop within ctx, Close says which
// and leaves the components below it (the store among them) running; a
// later Close resumes from it. Close after a complete stop does nothing more.
func (n *Node) Close(ctx context.Context) error {
	err := n.lc.stop(ctx) // first: a component may fail while others stop
	return errors.Join(n.lc.Err(), err)
}

// APIAddr is the local API's address (after Start).
func (n *Node) APIAddr() string {
	if n.api == nil {
		return ""
	}
	return n.api.Addr()
}
