package node_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"

	regabi "validator/abi"
	"validator/accountability"
	"validator/api"
	"validator/chain"
	"validator/chain/devchain"
	"validator/internal/testutil"
	"validator/node"
	"validator/p2p"
	"validator/reputation"
)

// TestAccountabilityE2E runs issue 13's end-to-end scenarios on one devnet of
// five validators with short report windows:
//
//	v0 is stopped for more than a window: jailed by one report, disconnected
//	   by all, refused when it comes back;
//	v1 answers pings 150 ms late all along: never attested;
//	v2 is down for less than the threshold: not attested;
//	v3 and v4 collude against v1 (online): below the quorum, v1 is not jailed;
//	the node that sent v0's report restarts and sends nothing more.
func TestAccountabilityE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: several report windows of real time")
	}
	const (
		window    = 40 * time.Second
		threshold = 15 * time.Second
		settle    = 20 * time.Second
		backoff   = 10 * time.Second
		latency   = 150 * time.Millisecond
		margin    = 15 * time.Second
	)
	ctx := context.Background()
	logs := &testutil.LogBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, l := range logs.Lines() {
			if strings.Contains(l, "attest") || strings.Contains(l, "report") || strings.Contains(l, "jail") {
				t.Log(l)
			}
		}
	})
	cfgs := make([]node.Config, 5)
	d, err := node.StartDevnet(ctx, node.DevnetOptions{
		Validators: 5, Dir: t.TempDir(), Logger: logger,
		Accountability: chain.Accountability{ReportWindow: window, OfflineThreshold: threshold, ReportDeadline: 10 * time.Minute, JailPeriod: time.Minute, SlashBps: 100, CommitteeSize: 128},
		Tune: func(i int, c *node.Config) {
			// Offline after two missed pings (2 s apart, 1 s timeout): a few
			// seconds to detect; Slow above 100 ms, so v1 turns Slow.
			c.Liveness.OfflineAfter = 2
			c.Liveness.SlowRTT = node.Duration(100 * time.Millisecond)
			c.Accountability.Settle = node.Duration(settle)
			c.Accountability.Backoff = node.Duration(backoff)
			cfgs[i] = *c
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := d.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	backend := d.Chain.Client()
	restart := func(i int) *node.Node {
		t.Helper()
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := d.Nodes[i].Close(cctx); err != nil {
			t.Fatalf("stop v%d: %v", i, err)
		}
		return startAgain(t, d, cfgs, logger, i)
	}

	ids := make([]common.Address, 5)
	peers := make([]peer.ID, 5)
	for i, n := range d.Nodes {
		ids[i], peers[i] = n.Service().ID().NodeID, n.Service().ID().PeerID
	}
	dom := accountability.Domain{ChainID: new(big.Int).SetUint64(devchain.ChainID), Registry: d.Registry, Params: chain.Accountability{ReportWindow: window, OfflineThreshold: threshold, ReportDeadline: 10 * time.Minute}}

	states := func(want func(j int) reputation.State) func() bool {
		return func() bool {
			for i, n := range d.Nodes {
				st := n.Recorder().States()
				for j := range d.Nodes {
					if i != j && st[ids[j]].State != want(j) {
						return false
					}
				}
			}
			return true
		}
	}
	waitForLong(t, "every validator connected to the four others and seeing them responsive", time.Minute, func() bool {
		for _, n := range d.Nodes {
			if n.Service().PeerCount() < 4 {
				return false
			}
		}
		return states(func(int) reputation.State { return reputation.Responsive })()
	})
	// b) v1 answers pings 150 ms late from now on, for the whole test. (Once
	// its peers have seen it answer: a peer never answered is Unreached,
	// which accrues no offline time, and would pass whatever the latency.)
	d.Nodes[1].Service().Host().SetStreamHandler(ping.ID, slowPing(latency))
	waitForLong(t, "v1 to be slow to everyone, the others responsive", time.Minute, states(func(j int) reputation.State {
		if j == 1 {
			return reputation.Slow
		}
		return reputation.Responsive
	}))

	// The first window that begins after every node was registered: every
	// validator's attestations count for it.
	w0 := dom.Window(time.Now()) + 1
	sleepUntil(dom.Start(w0).Add(time.Second))
	t.Logf("window %d: %s – %s", w0, dom.Start(w0).Format(time.TimeOnly), dom.End(w0).Format(time.TimeOnly))

	// a) v0 stops for more than a window.
	stoppedAt := time.Now()
	{
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := d.Nodes[0].Close(cctx); err != nil {
			t.Fatalf("stop v0: %v", err)
		}
		cancel()
	}
	waitForLong(t, "v0 disconnected from everyone", 10*time.Second, func() bool {
		for _, n := range d.Nodes[1:] {
			if n.Service().Host().Network().Connectedness(peers[0]) == network.Connected {
				return false
			}
		}
		return true
	})
	disconnected := time.Since(stoppedAt)
	t.Logf("v0 stopped: disconnected by all within %s", disconnected.Round(time.Millisecond))

	// c) v2 is down for 8 s, less than the threshold.
	sleepUntil(dom.Start(w0).Add(10 * time.Second))
	v2Down := time.Now()
	{
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := d.Nodes[2].Close(cctx); err != nil {
			t.Fatalf("stop v2: %v", err)
		}
		cancel()
	}
	time.Sleep(8 * time.Second)
	startAgain(t, d, cfgs, logger, 2)
	t.Logf("v2 down for %s", time.Since(v2Down).Round(time.Millisecond))

	// a) v0 is jailed within its window's end + settle + the back-offs of
	// every attester's turn + a margin.
	jailBy := dom.End(w0).Add(settle + 4*backoff + margin)
	var jailedAt time.Time
	waitForLong(t, "v0 jailed", time.Until(jailBy), func() bool {
		n, err := chain.ReadNode(ctx, backend, d.Registry, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if n.Status == chain.StatusJailed {
			jailedAt = time.Now()
			return true
		}
		return false
	})
	t.Logf("v0 jailed %s after window %d ended (%s after it stopped)", jailedAt.Sub(dom.End(w0)).Round(time.Millisecond), w0, jailedAt.Sub(stoppedAt).Round(time.Millisecond))
	if ok, err := chain.ReadReported(ctx, backend, d.Registry, ids[0], w0); err != nil || !ok {
		t.Fatalf("v0 reported for window %d: %v (%v)", w0, ok, err)
	}
	waitForLong(t, "every validator's view to drop v0", 10*time.Second, func() bool {
		for _, n := range d.Nodes[1:] {
			for _, m := range n.View().Active() {
				if m.ID == ids[0] {
					return false
				}
			}
		}
		return true
	})

	// d) v3 and v4 sign that v1 (online) was offline all of window w0 and
	// gossip it: two of the quorum of three.
	for _, i := range []int{3, 4} {
		sig, err := chain.SignAttestation(chain.DevnetNodeKey(i), dom.ChainID, d.Registry, ids[1], w0, 30)
		if err != nil {
			t.Fatal(err)
		}
		a := accountability.Attestation{Node: ids[1], Window: w0, Attester: ids[i], OfflineSeconds: 30, Signature: sig}
		if err := d.Nodes[i].Service().Publish(ctx, p2p.TopicAttestations, accountability.Encode(a)); err != nil {
			t.Fatalf("v%d publishes a false attestation: %v", i, err)
		}
	}
	// They send the report themselves: the registry refuses it.
	var atts []chain.Attestation
	for _, i := range []int{3, 4} {
		sig, err := chain.SignAttestation(chain.DevnetNodeKey(i), dom.ChainID, d.Registry, ids[1], w0, 30)
		if err != nil {
			t.Fatal(err)
		}
		atts = append(atts, chain.Attestation{Attester: ids[i], OfflineSeconds: 30, Signature: sig})
	}
	colluder, err := chain.NewTransactor(ctx, backend, d.Registry, chain.NewKeySigner(chain.DevnetOperatorKey(3)), chain.WithReceiptPoll(10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := colluder.ReportOffline(ctx, ids[1], w0, atts); err == nil {
		t.Errorf("the registry took a report of v1 (online) by two colluders")
	} else {
		t.Logf("the colluders' own report of v1 is refused: %v", err)
	}
	honest := []int{1, 2}
	waitForLong(t, "the honest validators to keep both false attestations", 20*time.Second, func() bool {
		for _, i := range honest {
			q, ok := quorumOf(t, d.Nodes[i], ids[1], w0)
			if !ok || q.Attestations < 2 {
				return false
			}
		}
		return true
	})
	for _, i := range honest {
		q, _ := quorumOf(t, d.Nodes[i], ids[1], w0)
		if q.Attestations != 2 || q.Eligible != 2 || q.Needed != 3 || q.Met {
			t.Errorf("v%d's /v1/reports about v1 in window %d: %s, want 2 kept, 2 eligible, 3 needed, not met", i, w0, describe(q))
		}
	}

	// a) v0 comes back from its data dir: jailed, every peer's gate refuses it.
	refusedBefore := 0.0
	for _, n := range d.Nodes[1:] {
		refusedBefore += testutil.Metric(t, n.Metrics(), "validator_p2p_connections_refused_total", "direction", "inbound")
	}
	v0 := startAgain(t, d, cfgs, logger, 0)
	waitForLong(t, "v0's peers to refuse its connections", 30*time.Second, func() bool {
		refused := 0.0
		for _, n := range d.Nodes[1:] {
			refused += testutil.Metric(t, n.Metrics(), "validator_p2p_connections_refused_total", "direction", "inbound")
		}
		return refused > refusedBefore
	})
	for range 20 {
		for i, n := range d.Nodes[1:] {
			if c := n.Service().Host().Network().Connectedness(peers[0]); c == network.Connected {
				t.Fatalf("v%d is connected to jailed v0", i+1)
			}
		}
		// v0's own side may hold a dialled connection for the moment the
		// remote gate takes to close it; none gets through the handshake.
		for _, p := range v0.Service().Peers() {
			if p.Handshaked {
				t.Fatalf("jailed v0 completed the status handshake with %s (%s)", p.NodeID, p.PeerID)
			}
		}
		time.Sleep(250 * time.Millisecond)
	}

	// a) one report transaction, one event; e) find who sent it.
	txs := reportTxs(t, d)
	if len(txs) != 1 {
		t.Fatalf("%d reportOffline transactions, want 1", len(txs))
	}
	events := offlineReported(t, d)
	if len(events) != 1 || events[0].Id != ids[0] || events[0].Window != w0 {
		t.Fatalf("OfflineReported events = %+v, want one about v0 in window %d", events, w0)
	}
	submitter := -1
	for i := 1; i < 5; i++ {
		if crypto.PubkeyToAddress(chain.DevnetOperatorKey(i).PublicKey) == txs[0].from {
			submitter = i
		}
	}
	if submitter < 0 || events[0].Reporter != txs[0].from {
		t.Fatalf("report sent by %s (event says %s), not a validator's operator", txs[0].from, events[0].Reporter)
	}
	q, ok := quorumOf(t, d.Nodes[submitter], ids[0], w0)
	if !ok || q.Submission == nil || q.Submission.State != accountability.SubmissionSent || q.Submission.TxHash != txs[0].hash.Hex() {
		t.Fatalf("v%d's /v1/reports about v0: %s, want its submission sent as %s", submitter, describe(q), txs[0].hash.Hex())
	}
	sent := 0.0
	for _, n := range d.Nodes[1:] {
		sent += testutil.Metric(t, n.Metrics(), "validator_accountability_reports_total", "result", accountability.SubmissionSent)
	}
	if sent != 1 {
		t.Errorf("validator_accountability_reports_total{result=sent} sums to %v, want 1", sent)
	}
	t.Logf("v%d sent the report (tx %s)", submitter, txs[0].hash)

	// e) the submitter restarts: no second transaction from its operator.
	op := txs[0].from
	nonce, err := backend.NonceAt(ctx, op, nil)
	if err != nil {
		t.Fatal(err)
	}
	restart(submitter)
	// b, c) Wait past w0+1's attestations and every back-off after them.
	sleepUntil(dom.End(w0 + 1).Add(settle + backoff))
	if n, err := backend.NonceAt(ctx, op, nil); err != nil || n != nonce {
		t.Errorf("v%d's operator nonce after its restart = %d (%v), was %d", submitter, n, err, nonce)
	}
	if txs := reportTxs(t, d); len(txs) != 1 {
		t.Errorf("%d reportOffline transactions after the submitter's restart, want 1", len(txs))
	}
	q, ok = quorumOf(t, d.Nodes[submitter], ids[0], w0)
	if !ok || q.Submission == nil || q.Submission.State != accountability.SubmissionSent {
		t.Errorf("v%d's /v1/reports about v0 after its restart: %s, want its submission sent", submitter, describe(q))
	}

	// b, c, d) v1 and v2 are active, never reported; the only attestations
	// about v1 are the colluders', about v2 none.
	for _, i := range []int{1, 2} {
		n, err := chain.ReadNode(ctx, backend, d.Registry, ids[i])
		if err != nil || n.Status != chain.StatusActive {
			t.Errorf("v%d status %v (%v), want active", i, n.Status, err)
		}
		for _, w := range []uint64{w0, w0 + 1} {
			if ok, err := chain.ReadReported(ctx, backend, d.Registry, ids[i], w); err != nil || ok {
				t.Errorf("v%d reported for window %d: %v (%v)", i, w, ok, err)
			}
		}
	}
	for i := 1; i < 5; i++ {
		r, err := api.NewClient("http://" + d.Nodes[i].APIAddr()).Reports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range r.Quorums {
			switch {
			case q.Node == ids[2]:
				t.Errorf("v%d keeps attestations about v2 (down %s, below the threshold): %s", i, 8*time.Second, describe(q))
			case q.Node == ids[1] && (q.Window != w0 || q.Attestations > 2 || q.Met):
				t.Errorf("v%d keeps attestations about v1 (150 ms late) besides the colluders': %s", i, describe(q))
			case q.Node != ids[1] && q.Node != ids[0]:
				t.Errorf("v%d keeps attestations about %s: %s", i, q.Node, describe(q))
			}
		}
	}
	// c) not vacuous: v2's peers did see it offline in w0, for less than the
	// threshold.
	for _, i := range []int{1, 3, 4} {
		rep, err := d.Nodes[i].Recorder().Build("devnet", ids[i], ids[2], dom.Start(w0), dom.End(w0))
		if err != nil {
			t.Fatal(err)
		}
		var off time.Duration
		for _, s := range rep.Summaries {
			off += time.Duration(s.OfflineMs) * time.Millisecond
		}
		t.Logf("v%d saw v2 offline %s in window %d", i, off.Round(time.Millisecond), w0)
		if off <= 0 || off >= threshold {
			t.Errorf("v%d saw v2 offline %s in window %d, want some, below %s", i, off, w0, threshold)
		}
	}
}

// startAgain starts validator i of d again from its data directory, with the
// configuration it had, and puts it in d.Nodes.
func startAgain(t *testing.T, d *node.Devnet, cfgs []node.Config, logger *slog.Logger, i int) *node.Node {
	t.Helper()
	n, err := node.New(node.Options{
		Config: cfgs[i], NodeKey: chain.DevnetNodeKey(i), Logger: logger.With("validator", i), Backend: d.Chain.Client(),
		SyncTimeout: 30 * time.Second, Operator: chain.NewKeySigner(chain.DevnetOperatorKey(i)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatalf("start v%d again: %v", i, err)
	}
	d.Nodes[i] = n
	return n
}

// quorumOf is what n's /v1/reports says about node in window.
func quorumOf(t *testing.T, n *node.Node, id common.Address, w uint64) (api.ReportQuorum, bool) {
	t.Helper()
	r, err := api.NewClient("http://" + n.APIAddr()).Reports(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range r.Quorums {
		if q.Node == id && q.Window == w {
			return q, true
		}
	}
	return api.ReportQuorum{}, false
}

// describe says what a /v1/reports entry holds.
func describe(q api.ReportQuorum) string {
	s := fmt.Sprintf("node %s window %d: %d kept, %d eligible, %d needed, met %v", q.Node, q.Window, q.Attestations, q.Eligible, q.Needed, q.Met)
	if q.Submission != nil {
		s += fmt.Sprintf(", submission %s %s %s", q.Submission.State, q.Submission.TxHash, q.Submission.Error)
	}
	return s
}

type reportTx struct {
	hash common.Hash
	from common.Address
}

// reportTxs are the reportOffline transactions to the registry in every
// block, mined successfully or not.
func reportTxs(t *testing.T, d *node.Devnet) []reportTx {
	t.Helper()
	parsed, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		t.Fatal(err)
	}
	sel := parsed.Methods["reportOffline"].ID
	c := d.Chain.Client()
	head, err := c.BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []reportTx
	for b := uint64(0); b <= head; b++ {
		blk, err := c.BlockByNumber(context.Background(), new(big.Int).SetUint64(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range blk.Transactions() {
			if tx.To() == nil || *tx.To() != d.Registry || !bytes.HasPrefix(tx.Data(), sel) {
				continue
			}
			from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, reportTx{tx.Hash(), from})
		}
	}
	return out
}

// offlineReported are the registry's OfflineReported events.
func offlineReported(t *testing.T, d *node.Devnet) []*regabi.NodeRegistryOfflineReported {
	t.Helper()
	f, err := regabi.NewNodeRegistryFilterer(d.Registry, d.Chain.Client())
	if err != nil {
		t.Fatal(err)
	}
	it, err := f.FilterOfflineReported(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []*regabi.NodeRegistryOfflineReported
	for it.Next() {
		out = append(out, it.Event)
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sleepUntil(at time.Time) { time.Sleep(time.Until(at)) }

// waitForLong is waitFor with its own limit.
func waitForLong(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
