package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"validator/api"
	"validator/chain"
)

// Registration states of this node, as validator_node_registration_state and
// /v1/status report them.
const (
	// StateActive: the registry view lists this node; peers accept it.
	StateActive = "active"
	// StatePending: registered at the chain's head but not yet in the view,
	// which follows the registry chain.confirmations blocks behind (or at the
	// finalized block). Peers see the same view, so they do not accept it yet.
	StatePending = "pending"
	// StateExited: the node requested exit (or has withdrawn); a key
	// registers only once, so it never comes back.
	StateExited = "exited"
	// StateNotRegistered: the registry does not know the key (a reorg undid
	// its registration, or chain.registry names another registry).
	StateNotRegistered = "not_registered"
)

var registrationStates = []string{StateActive, StatePending, StateExited, StateNotRegistered}

// standing follows this node's own registration in the registry view. While it
// is not active, peers refuse this node, so its failed probes say nothing about
// them: the evidence recorder drops them (see evidence.WithActive). Each change
// is one log line, the one-hot validator_node_registration_state gauge, and a
// reason /readyz lists.
type standing struct {
	self     common.Address
	selfPeer peer.ID
	view     *chain.Registry
	// lookup reads this node's registry entry at the chain's head, whatever
	// its status (chain.ReadNode); it tells an exit from a reorg.
	lookup func(context.Context) (chain.Node, error)
	log    *slog.Logger
	gauge  *prometheus.GaugeVec

	mu     sync.Mutex
	state  string
	reason string
	since  time.Time
}

func newStanding(self common.Address, selfPeer peer.ID, view *chain.Registry, lookup func(context.Context) (chain.Node, error), log *slog.Logger, reg prometheus.Registerer) (*standing, error) {
	s := &standing{
		self: self, selfPeer: selfPeer, view: view, lookup: lookup, log: log,
		gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "validator_node_registration_state",
			Help: "This node's own registration, one-hot: active, pending (registered, not yet confirmed), exited, not_registered.",
		}, []string{"state"}),
	}
	for _, st := range registrationStates {
		s.gauge.WithLabelValues(st)
	}
	if err := reg.Register(s.gauge); err != nil {
		return nil, fmt.Errorf("register standing metrics: %w", err)
	}
	return s, nil
}

// Active reports whether the registry view lists this node right now. It reads
// the view itself rather than the last state the watcher saw, so evidence is
// gated from the moment the view changes.
func (s *standing) Active() bool { return s.view.IsActivePeer(s.selfPeer) }

// Standing is the current registration as the API reports it.
func (s *standing) Standing() api.NodeStanding {
	s.mu.Lock()
	defer s.mu.Unlock()
	return api.NodeStanding{State: s.state, Reason: s.reason, Since: s.since}
}

// State is the current registration state.
func (s *standing) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// classify works out the state of a node the view does not list.
func (s *standing) classify(ctx context.Context, removed *chain.Change) (state, reason string, attrs []any) {
	block := s.view.Block()
	if removed != nil {
		block = removed.Block
		if removed.Node.Status == chain.StatusExiting {
			return exited(removed.Node, block)
		}
	}
	attrs = []any{"block", block}
	lctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	n, err := s.lookup(lctx)
	switch {
	case errors.Is(err, chain.ErrUnknownNode):
		return StateNotRegistered, fmt.Sprintf("this node is not registered in registry %s", s.view.Address()), attrs
	case err != nil:
		// The view does not list it and the chain cannot say more now.
		return StateNotRegistered, fmt.Sprintf("this node is not listed by registry %s at block %d (its entry could not be read: %v)", s.view.Address(), block, err), attrs
	case n.Status == chain.StatusExiting || n.Status == chain.StatusWithdrawn:
		return exited(n, block)
	case n.Status == chain.StatusActive:
		return StatePending, fmt.Sprintf("this node is registered but not yet confirmed: the registry view is at block %d", block), append(attrs, "registered_at", n.RegisteredAt)
	default:
		return StateNotRegistered, fmt.Sprintf("this node is not listed by registry %s at block %d (status %s)", s.view.Address(), block, n.Status), attrs
	}
}

func exited(n chain.Node, block uint64) (state, reason string, attrs []any) {
	reason = fmt.Sprintf("this node exited the registry (block %d)", block)
	attrs = []any{"block", block}
	if !n.WithdrawableAt.IsZero() {
		reason = fmt.Sprintf("this node exited the registry (block %d; stake withdrawable from %s)", block, n.WithdrawableAt.UTC().Format(time.RFC3339))
		attrs = append(attrs, "withdrawable_at", n.WithdrawableAt.UTC().Format(time.RFC3339))
	}
	if n.Status == chain.StatusWithdrawn {
		reason = fmt.Sprintf("this node exited the registry and its stake was withdrawn (view at block %d)", block)
	}
	return StateExited, reason, attrs
}

// nextStep tells the operator what to do about a state.
func nextStep(state string) string {
	switch state {
	case StateExited:
		return "peers no longer accept this node and its probes are not recorded; stop the daemon, and withdraw the stake once it is withdrawable (validator withdraw). A node key registers only once: to rejoin, create a new key (validator init) and register it"
	case StatePending:
		return "wait for the registration to be confirmed (chain.confirmations or chain.finalized); the node joins by itself"
	default:
		return "check that chain.registry and chain.rpc_url name the network this node registered on (validator registry list); if a reorg undid the registration, register again"
	}
}

// set records a state; it logs and moves the gauge only when the state changes.
func (s *standing) set(state, reason string, attrs []any) {
	s.mu.Lock()
	prev, prevSince := s.state, s.since
	if prev == state {
		s.reason = reason
		s.mu.Unlock()
		return
	}
	now := time.Now()
	s.state, s.reason, s.since = state, reason, now
	s.mu.Unlock()
	for _, st := range registrationStates {
		v := 0.0
		if st == state {
			v = 1
		}
		s.gauge.WithLabelValues(st).Set(v)
	}
	switch {
	case prev == "":
		if state != StateActive {
			s.log.Warn("this node is not active in the registry yet", append([]any{"node", s.self, "reason", state, "detail", reason, "next", nextStep(state)}, attrs...)...)
		}
	case state == StateActive && prev == StatePending:
		s.log.Info("this node is now active in the registry", append([]any{"node", s.self, "pending_for", now.Sub(prevSince).Round(time.Second)}, attrs...)...)
	case state == StateActive:
		s.log.Info("this node is active in the registry again", append([]any{"node", s.self, "was", prev, "inactive_for", now.Sub(prevSince).Round(time.Second)}, attrs...)...)
	case state == StatePending:
		s.log.Warn("this node is no longer in the registry view", append([]any{"node", s.self, "reason", state, "detail", reason, "next", nextStep(state)}, attrs...)...)
	default:
		s.log.Error("this node is no longer in the registry", append([]any{"node", s.self, "reason", state, "detail", reason, "next", nextStep(state)}, attrs...)...)
	}
}

// refresh sets the state from the view as it is now.
func (s *standing) refresh(ctx context.Context) {
	if n, ok := s.view.Node(s.self); ok {
		s.set(StateActive, "", []any{"block", s.view.Block(), "registered_at", n.RegisteredAt})
		return
	}
	s.set(s.classify(ctx, nil))
}

// run follows the view's changes to this node until ctx ends.
func (s *standing) run(ctx context.Context) error {
	for {
		_, sub := s.view.Subscribe()
		s.refresh(ctx) // a change may have been missed while (re)subscribing
		lagged := false
		for !lagged {
			select {
			case <-ctx.Done():
				sub.Close()
				return nil
			case c, ok := <-sub.Changes():
				if !ok {
					if !errors.Is(sub.Err(), chain.ErrLagged) {
						return nil // the view stopped
					}
					lagged = true
					continue
				}
				if c.Node.ID != s.self {
					continue
				}
				if c.Kind == chain.Removed {
					s.set(s.classify(ctx, &c))
				} else {
					s.set(StateActive, "", []any{"block", c.Block})
				}
			}
		}
	}
}

// healthEvery is how often the node re-evaluates readiness and registry sync
// for its transition logs.
const healthEvery = time.Second

// watchHealth logs, once per change, when the registry sync stalls or
// recovers and when readiness changes, until ctx ends.
func (n *Node) watchHealth(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	stallAfter := n.cfg.Chain.StallAfter.D()
	var (
		first   = true
		ready   bool
		failing []string
		stalled bool
	)
	for {
		st := n.view.Status()
		since := time.Since(st.LastSuccess)
		switch {
		case !stalled && stallAfter > 0 && st.Synced && since > stallAfter:
			stalled = true
			args := []any{"last_success", st.LastSuccess.UTC().Format(time.RFC3339), "stalled_for", since.Round(time.Second), "block", st.Block, "rpc", RedactURL(n.network.RPCURL)}
			if st.LastError != nil {
				args = append(args, "err", st.LastError)
			}
			n.log.Error("registry sync stalled", append(args, "next", "check chain.rpc_url and the endpoint's health; the node keeps running on its last registry view and resumes by itself")...)
		case stalled && since <= stallAfter:
			stalled = false
			n.log.Info("registry sync recovered", "block", st.Block, "head", st.Head)
		}
		if n.api != nil {
			r := n.api.Readiness()
			switch {
			case r.Ready && (first || !ready):
				n.log.Info("ready", "peers", r.Peers, "registry_block", st.Block)
			case !r.Ready && first:
				n.log.Info("not ready yet", "failing", r.Failing)
			case !r.Ready && (ready || !sameKinds(failing, r.Failing)):
				n.log.Warn("not ready", "failing", r.Failing)
			}
			first, ready, failing = false, r.Ready, r.Failing
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// sameKinds reports whether two failing lists name the same conditions,
// ignoring the figures in them (peer counts, durations), so a changing count
// does not log again.
func sameKinds(a, b []string) bool {
	kind := func(s string) string {
		for i, r := range s {
			if r == ':' || (r >= '0' && r <= '9') {
				return s[:i]
			}
		}
		return s
	}
	return slices.EqualFunc(a, b, func(x, y string) bool { return kind(x) == kind(y) })
}
