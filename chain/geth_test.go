package chain_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"validator/chain"
	"validator/internal/gethdev"
	"validator/internal/testutil"
)

// TestGethRegistryFollowsExit runs the registry view against a real geth --dev:
// it registers three nodes from three operators, syncs a view over WebSocket
// (woken only by pushed heads) and one over HTTP (polling), and checks that an
// exit reaches both as a Removed change from the ExitRequested event, without a
// re-snapshot.
func TestGethRegistryFollowsExit(t *testing.T) {
	g := gethdev.Start(t, gethdev.Find(t))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const unbondingPeriod = time.Minute
	admin := chain.NewKeySigner(key(t, "geth-admin"))
	operators := make([]*chain.Signer, 3)
	accounts := []common.Address{admin.Address}
	for i := range operators {
		operators[i] = chain.NewKeySigner(key(t, fmt.Sprintf("geth-operator-%d", i)))
		accounts = append(accounts, operators[i].Address)
	}
	g.Fund(ctx, t, ether(100), accounts...)

	poll := chain.WithReceiptPoll(20 * time.Millisecond)
	registry, _, err := chain.Deploy(ctx, g.HTTP, admin, chain.DeployParams{MinStake: minStake, UnbondingPeriod: unbondingPeriod}, poll)
	if err != nil {
		t.Fatal(err)
	}
	txs := make([]*chain.Transactor, len(operators))
	ids := make([]common.Address, len(operators))
	nodeKeys := make([]*ecdsa.PrivateKey, len(operators))
	for i, op := range operators {
		if txs[i], err = chain.NewTransactor(ctx, g.HTTP, registry, op, poll); err != nil {
			t.Fatal(err)
		}
		nodeKeys[i] = key(t, fmt.Sprintf("geth-node-%d", i))
		addrs := []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 4001+i)}
		if ids[i], _, err = txs[i].Register(ctx, nodeKeys[i], addrs, fmt.Sprintf("name=node-%d", i), minStake); err != nil {
			t.Fatalf("register node %d: %v", i, err)
		}
	}

	type view struct {
		name string
		gethView
		sub    *chain.Subscription
		synced uint64
	}
	views := []*view{
		// An hour-long poll: the WebSocket view only moves when geth pushes a head.
		{name: "ws", gethView: startGethView(t, g.WS, registry, time.Hour)},
		{name: "http", gethView: startGethView(t, g.HTTP, registry, 100*time.Millisecond)},
	}
	for _, v := range views {
		if err := v.WaitSynced(ctx); err != nil {
			t.Fatalf("%s view: %v", v.name, err)
		}
		active, sub := v.Subscribe()
		t.Cleanup(sub.Close)
		v.sub = sub
		v.synced = v.Status().Block
		if got := gethNodeIDs(active); !slices.Equal(got, gethSorted(ids)) {
			t.Fatalf("%s view after sync: active %v, want %v", v.name, got, gethSorted(ids))
		}
	}

	const exiting = 1
	exit, err := txs[exiting].RequestExit(ctx, ids[exiting])
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := g.HTTP.HeaderByNumber(ctx, new(big.Int).SetUint64(exit.Block))
	if err != nil {
		t.Fatal(err)
	}
	wantWithdrawable := time.Unix(int64(hdr.Time), 0).Add(unbondingPeriod).UTC()
	remaining := gethSorted([]common.Address{ids[0], ids[2]})

	for _, v := range views {
		var c chain.Change
		select {
		case got, ok := <-v.sub.Changes():
			if !ok {
				t.Fatalf("%s view: subscription ended: %v", v.name, v.sub.Err())
			}
			c = got
		case <-time.After(15 * time.Second):
			t.Fatalf("%s view: no change within 15s of the exit in block %d (status %+v)", v.name, exit.Block, v.Status())
		}
		// Exiting status and the withdrawal time come only from the ExitRequested
		// event; a re-snapshot would report the node as it was last seen (active).
		if c.Kind != chain.Removed || c.Node.ID != ids[exiting] || c.Block != exit.Block ||
			c.Node.Status != chain.StatusExiting || !c.Node.WithdrawableAt.Equal(wantWithdrawable) {
			t.Errorf("%s view: change %s node %s block %d status %s withdrawable %s; want removed %s block %d exiting %s",
				v.name, c.Kind, c.Node.ID, c.Block, c.Node.Status, c.Node.WithdrawableAt, ids[exiting], exit.Block, wantWithdrawable)
		}
		select {
		case extra := <-v.sub.Changes():
			t.Errorf("%s view: unexpected second change %s of %s", v.name, extra.Kind, extra.Node.ID)
		default:
		}

		if got := gethNodeIDs(v.Active()); !slices.Equal(got, remaining) {
			t.Errorf("%s view: active %v, want %v", v.name, got, remaining)
		}
		for i, nk := range nodeKeys {
			pid := gethPeerID(t, nk)
			n, ok := v.NodeByPeer(pid)
			switch {
			case i == exiting && ok:
				t.Errorf("%s view: exited node %s still found by peer %s", v.name, ids[i], pid)
			case i != exiting && (!ok || n.ID != ids[i] || n.Operator != operators[i].Address || n.PeerID != pid):
				t.Errorf("%s view: NodeByPeer(%s) = %s (operator %s, found %t), want %s of %s", v.name, pid, n.ID, n.Operator, ok, ids[i], operators[i].Address)
			}
		}

		st := v.Status()
		if st.Block < exit.Block || st.Block <= v.synced || st.Nodes != 2 || st.LastError != nil {
			t.Errorf("%s view: status %+v after exit in block %d (synced at %d)", v.name, st, exit.Block, v.synced)
		}
		for _, m := range []struct {
			name, label, value string
			want               float64
		}{
			{"validator_chain_snapshots_total", "reason", "initial", 1},
			{"validator_chain_snapshots_total", "reason", "reorg", 0},
			{"validator_chain_membership_changes_total", "kind", "added", 3},
			{"validator_chain_membership_changes_total", "kind", "removed", 1},
			{"validator_chain_registry_events_total", "result", "invalid", 0},
		} {
			if got := gethMetric(t, v.Metrics, m.name, m.label, m.value); got != m.want {
				t.Errorf("%s view: %s{%s=%q} = %v, want %v", v.name, m.name, m.label, m.value, got, m.want)
			}
		}
		if got := gethMetric(t, v.Metrics, "validator_chain_registry_events_total", "result", "applied"); got < 1 {
			t.Errorf("%s view: no registry event applied after the snapshot", v.name)
		}
	}
}

// gethView is a running registry view and the metrics it registered.
type gethView struct {
	*chain.Registry
	Metrics *prometheus.Registry
}

// startGethView runs a registry view until the test ends.
func startGethView(t *testing.T, backend chain.Backend, registry common.Address, poll time.Duration) gethView {
	t.Helper()
	metrics := prometheus.NewRegistry()
	r, err := chain.NewRegistry(backend, registry,
		chain.WithPollInterval(poll),
		chain.WithBackoff(50*time.Millisecond, time.Second),
		chain.WithRegisterer(metrics),
		chain.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("registry view: %v", err)
		}
	})
	return gethView{Registry: r, Metrics: metrics}
}

// gethMetric reads the counter or gauge name{label=value} from g.
func gethMetric(t *testing.T, g prometheus.Gatherer, name, label, value string) float64 {
	t.Helper()
	v := testutil.Metric(t, g, name, label, value)
	if v < 0 {
		t.Fatalf("metric %s{%s=%q} not registered", name, label, value)
	}
	return v
}

func gethNodeIDs(nodes []chain.Node) []common.Address {
	ids := make([]common.Address, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return ids
}

func gethSorted(ids []common.Address) []common.Address {
	s := slices.Clone(ids)
	slices.SortFunc(s, func(a, b common.Address) int { return a.Cmp(b) })
	return s
}

func gethPeerID(t *testing.T, k *ecdsa.PrivateKey) peer.ID {
	t.Helper()
	id, err := chain.PeerIDFromPubKey(chain.PubKeyBytes(&k.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return id
}
