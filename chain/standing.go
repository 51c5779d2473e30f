package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
)

// Registration states of this node, as validator_node_registration_state and
// /v1/status report them.
const (
	// StandingActive: the registry view lists this node; peers accept it.
	StandingActive = "active"
	// StandingPending: registered at the chain's head but not yet in the view,
	// which follows the registry chain.confirmations blocks behind (or at the
	// finalized block). Peers see the same view, so they do not accept it yet.
	StandingPending = "pending"
	// StandingExited: the node requested exit (or has withdrawn); a key
	// registers only once, so it never comes back.
	StandingExited = "exited"
	// StandingNotRegistered: the registry does not know the key (a reorg undid
	// its registration, or chain.registry names another registry).
	StandingNotRegistered = "not_registered"
	// StandingJailed: a quorum of observers reported this node offline; it is
	// out of the active set until its operator unjails it (validator unjail)
	// after the jail period.
	StandingJailed = "jailed"
)

var registrationStates = []string{StandingActive, StandingPending, StandingExited, StandingNotRegistered, StandingJailed}

// Standing follows this node's own registration in the registry view. While it
// is not active, peers refuse this node, so its failed probes say nothing about
// them: the evidence recorder drops them (see evidence.WithActive). Each change
// is one log line, the one-hot validator_node_registration_state gauge, and a
// reason /readyz lists.
type Standing struct {
	self     common.Address
	selfPeer peer.ID
	view     *Registry
	// lookup reads this node's registry entry at the chain's head, whatever
	// its status (ReadNode); it tells an exit from a reorg.
	lookup func(context.Context) (Node, error)
	log    *slog.Logger
	gauge  *prometheus.GaugeVec

	mu     sync.Mutex
	state  string
	reason string
	since  time.Time
}

// A Verdict is this node's registration as Classify found it.
type Verdict struct {
	State  string // one of the Standing* states
	Reason string // why it is not active ("" when active)
	attrs  []any  // log fields (block, registered_at, withdrawable_at)
}

// NewStanding follows the registration of the node self (peer ID selfPeer) in
// view; it reads the node's entry at the head from the view's backend and
// registry. The gauge is registered with reg; the state is unknown ("") until
// Record or Run sets it.
func NewStanding(view *Registry, self common.Address, selfPeer peer.ID, log *slog.Logger, reg prometheus.Registerer) (*Standing, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Standing{
		self: self, selfPeer: selfPeer, view: view, log: log,
		lookup: func(ctx context.Context) (Node, error) { return ReadNode(ctx, view.backend, view.address, self) },
		gauge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "validator_node_registration_state",
			Help: "This node's own registration, one-hot: active, pending (registered, not yet confirmed), exited, not_registered, jailed.",
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
func (s *Standing) Active() bool { return s.view.IsActivePeer(s.selfPeer) }

// Current is the recorded state, why it is not active, and since when.
func (s *Standing) Current() (state, reason string, since time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.reason, s.since
}

// State is the current registration state.
func (s *Standing) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Classify works out this node's state from the view as it is now, reading
// its entry at the chain's head when the view does not list it. It records
// nothing: Record does.
func (s *Standing) Classify(ctx context.Context) Verdict {
	if n, ok := s.view.Node(s.self); ok {
		return Verdict{State: StandingActive, attrs: []any{"block", s.view.Block(), "registered_at", n.RegisteredAt}}
	}
	return s.classify(ctx, nil)
}

// classify works out the state of a node the view does not list.
func (s *Standing) classify(ctx context.Context, removed *Change) Verdict {
	block := s.view.Block()
	if removed != nil {
		block = removed.Block
		switch removed.Node.Status {
		case StatusExiting:
			return exited(removed.Node, block)
		case StatusJailed:
			return jailed(removed.Node, block)
		}
	}
	attrs := []any{"block", block}
	lctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	n, err := s.lookup(lctx)
	switch {
	case errors.Is(err, ErrUnknownNode):
		return Verdict{StandingNotRegistered, fmt.Sprintf("this node is not registered in registry %s", s.view.Address()), attrs}
	case err != nil:
		// The view does not list it and the chain cannot say more now.
		return Verdict{StandingNotRegistered, fmt.Sprintf("this node is not listed by registry %s at block %d (its entry could not be read: %v)", s.view.Address(), block, err), attrs}
	case n.Status == StatusExiting || n.Status == StatusWithdrawn:
		return exited(n, block)
	case n.Status == StatusJailed:
		return jailed(n, block)
	case n.Status == StatusActive:
		return Verdict{StandingPending, fmt.Sprintf("this node is registered but not yet confirmed: the registry view is at block %d", block), append(attrs, "registered_at", n.RegisteredAt)}
	default:
		return Verdict{StandingNotRegistered, fmt.Sprintf("this node is not listed by registry %s at block %d (status %s)", s.view.Address(), block, n.Status), attrs}
	}
}

func exited(n Node, block uint64) Verdict {
	reason := fmt.Sprintf("this node exited the registry (block %d)", block)
	attrs := []any{"block", block}
	if !n.WithdrawableAt.IsZero() {
		reason = fmt.Sprintf("this node exited the registry (block %d; stake withdrawable from %s)", block, n.WithdrawableAt.UTC().Format(time.RFC3339))
		attrs = append(attrs, "withdrawable_at", n.WithdrawableAt.UTC().Format(time.RFC3339))
	}
	if n.Status == StatusWithdrawn {
		reason = fmt.Sprintf("this node exited the registry and its stake was withdrawn (view at block %d)", block)
	}
	return Verdict{StandingExited, reason, attrs}
}

func jailed(n Node, block uint64) Verdict {
	until := n.JailedUntil.UTC().Format(time.RFC3339)
	return Verdict{StandingJailed, fmt.Sprintf("a quorum of observers reported this node offline and the registry jailed it (view at block %d); it may be unjailed from %s", block, until),
		[]any{"block", block, "jailed_until", until}}
}

// nextStep tells the operator what to do about a state.
func nextStep(state string) string {
	switch state {
	case StandingJailed:
		return "find why the node was unreachable (validator peers on other nodes, its logs), keep it running, and once the jail period is over unjail it with `validator unjail` (the stake must still reach the registry's minimum: add --top-up); it rejoins by itself"
	case StandingExited:
		return "peers no longer accept this node and its probes are not recorded; stop the daemon, and withdraw the stake once it is withdrawable (validator withdraw). A node key registers only once: to rejoin, create a new key (validator init) and register it"
	case StandingPending:
		return "wait for the registration to be confirmed (chain.confirmations or chain.finalized); the node joins by itself"
	default:
		return "check that chain.registry and chain.rpc_url name the network this node registered on (validator registry list); if a reorg undid the registration, register again"
	}
}

// Record records a verdict; it logs and moves the gauge only when the state
// changes.
func (s *Standing) Record(v Verdict) {
	state, reason, attrs := v.State, v.Reason, v.attrs
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
		x := 0.0
		if st == state {
			x = 1
		}
		s.gauge.WithLabelValues(st).Set(x)
	}
	switch {
	case prev == "":
		if state != StandingActive {
			s.log.Warn("this node is not active in the registry yet", append([]any{"node", s.self, "reason", state, "detail", reason, "next", nextStep(state)}, attrs...)...)
		}
	case state == StandingActive && prev == StandingPending:
		s.log.Info("this node is now active in the registry", append([]any{"node", s.self, "pending_for", now.Sub(prevSince).Round(time.Second)}, attrs...)...)
	case state == StandingActive:
		s.log.Info("this node is active in the registry again", append([]any{"node", s.self, "was", prev, "inactive_for", now.Sub(prevSince).Round(time.Second)}, attrs...)...)
	case state == StandingPending:
		s.log.Warn("this node is no longer in the registry view", append([]any{"node", s.self, "reason", state, "detail", reason, "next", nextStep(state)}, attrs...)...)
	default:
		s.log.Error("this node is no longer in the registry", append([]any{"node", s.self, "reason", state, "detail", reason, "next", nextStep(state)}, attrs...)...)
	}
}

// Run follows the view's changes to this node until ctx ends (it returns nil)
// or the view stops (it returns nil early).
func (s *Standing) Run(ctx context.Context) error {
	for {
		_, sub := s.view.Subscribe()
		s.Record(s.Classify(ctx)) // a change may have been missed while (re)subscribing
		lagged := false
		for !lagged {
			select {
			case <-ctx.Done():
				sub.Close()
				return nil
			case c, ok := <-sub.Changes():
				if !ok {
					if !errors.Is(sub.Err(), ErrLagged) {
						return nil // the view stopped
					}
					lagged = true
					continue
				}
				if c.Node.ID != s.self {
					continue
				}
				if c.Kind == Removed {
					s.Record(s.classify(ctx, &c))
				} else {
					s.Record(Verdict{State: StandingActive, attrs: []any{"block", c.Block}})
				}
			}
		}
	}
}
