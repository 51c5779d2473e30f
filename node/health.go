package node

import (
	"context"
	"slices"
	"time"
)

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
