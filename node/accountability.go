package node

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/accountability"
	"validator/api"
	"validator/chain"
	"validator/p2p"
	"validator/store"
)

// AccountabilityConfig is the [accountability] section.
type AccountabilityConfig = accountability.Section

// setupAccountability reads the registry's accountability parameters and
// prepares the attestations topic's payload check (always: a node that does
// not attest still forwards only valid attestations) and, when
// accountability.enabled, the service. Nothing runs until runAccountability.
func (n *Node) setupAccountability(ctx context.Context) error {
	params, err := chain.ReadParams(ctx, n.backend, n.network.Registry)
	if err != nil {
		return fmt.Errorf("read the registry's accountability parameters: %w", err)
	}
	d := accountability.Domain{ChainID: new(big.Int).SetUint64(n.network.ChainID), Registry: n.network.Registry, Params: params.Accountability}
	n.acctDomain = &d
	cfg := n.cfg.Accountability
	if !cfg.Enabled {
		n.log.Info("accountability off: this node neither attests nor submits reports (accountability.enabled)")
		return nil
	}
	var reporter accountability.Reporter
	if cfg.Submit {
		if n.opts.Operator == nil {
			return errors.New("accountability.submit is on but no account to send reports from was loaded: set accountability.keystore (or keys.operator_keystore) and keys.passphrase_file, or turn accountability.submit off")
		}
		tx, err := chain.NewTransactor(ctx, n.backend, n.network.Registry, n.opts.Operator, chain.WithGasCap(cfg.MaxGas))
		if err != nil {
			return err
		}
		reporter = &accountability.ChainReporter{Tx: tx, Backend: n.backend}
	}
	key := n.opts.NodeKey
	n.acct, err = accountability.New(accountability.Config{
		Domain: d, Key: key, Submit: cfg.Submit, Backoff: cfg.Backoff.D(), Settle: cfg.Settle.D(),
		Logger: n.log, Registerer: n.reg,
	}, acctView{n.view}, acctEvidence{n.st}, acctStore{n.st}, reporter, func(ctx context.Context, b []byte) error {
		return n.svc.Publish(ctx, p2p.TopicAttestations, b)
	})
	if err != nil {
		return err
	}
	n.log.Info("accountability on", "report_window", params.Accountability.ReportWindow, "offline_threshold", params.Accountability.OfflineThreshold,
		"committee_size", params.Accountability.CommitteeSize, "submit", cfg.Submit)
	return nil
}

// attestationCheck is the attestations topic's payload check: the payload
// must decode and check (accountability.Domain.Check) at the time it
// arrives. A window not over yet or past its deadline is ignored, since an
// honest peer's clock or a slow path causes those; anything else rejects.
func (n *Node) attestationCheck(sender common.Address, payload []byte) error {
	a, err := accountability.Decode(sender, payload)
	if err != nil {
		return err
	}
	err = n.acctDomain.Check(a, time.Now())
	if errors.Is(err, accountability.ErrStale) || errors.Is(err, accountability.ErrFuture) {
		return fmt.Errorf("%w: %w", p2p.ErrIgnorePayload, err)
	}
	return err
}

// runAccountability keeps the attestations gossip delivers and runs the
// service until ctx ends.
func (n *Node) runAccountability(ctx context.Context) error {
	if n.acct == nil {
		<-ctx.Done()
		return nil
	}
	sub, err := n.svc.Subscribe(p2p.TopicAttestations)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sub.Close()
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			// Validation decoded and checked it already (attestationCheck).
			if a, err := accountability.Decode(m.Sender.ID, m.Payload); err == nil {
				n.acct.Receive(a)
			}
		}
	}()
	err = n.acct.Run(ctx)
	sub.Close()
	<-done
	return err
}

// acctView is the registry view as the accountability service needs it.
type acctView struct{ r *chain.Registry }

func (v acctView) Active() []accountability.Member {
	nodes := v.r.Active()
	out := make([]accountability.Member, len(nodes))
	for i, n := range nodes {
		out[i] = accountability.Member{ID: n.ID, ActiveSince: n.ActiveSince}
	}
	return out
}

// acctEvidence is this node's own liveness evidence: the offline time of the
// summaries the store keeps. A summary that straddles a bound counts in
// proportion to its overlap. Only time a peer spent Offline counts: a peer
// this node never reached (Unreached) accrues none, so it is never attested,
// and neither is time this node itself was down (it wrote no summaries).
type acctEvidence struct{ st *store.Store }

func (e acctEvidence) Offline(peer common.Address, from, to time.Time) (time.Duration, error) {
	// A summary starting before from may reach into [from, to): look back
	// one window's length, more than any summary spans.
	sms, err := e.st.Summaries(peer, from.Add(-to.Sub(from)), to)
	if err != nil {
		return 0, err
	}
	var off time.Duration
	for _, s := range sms {
		span := s.End.Sub(s.Start)
		if span <= 0 || s.Offline <= 0 {
			continue
		}
		lo, hi := maxTime(s.Start, from), minTime(s.End, to)
		if !hi.After(lo) {
			continue
		}
		overlap := hi.Sub(lo)
		if overlap == span {
			off += s.Offline
		} else {
			off += time.Duration(float64(s.Offline) * float64(overlap) / float64(span))
		}
	}
	return min(off, to.Sub(from)), nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// acctStore keeps attestations and submissions in the store.
type acctStore struct{ st *store.Store }

func (s acctStore) PutAttestation(a accountability.Attestation, received time.Time) (bool, error) {
	return s.st.PutAttestation(store.AttestationRecord{
		Node: a.Node, Window: a.Window, Attester: a.Attester, OfflineSeconds: a.OfflineSeconds, Signature: a.Signature, Received: received,
	})
}

func (s acctStore) Attestations(node common.Address, window uint64) ([]accountability.Attestation, error) {
	rs, err := s.st.Attestations(node, window)
	if err != nil {
		return nil, err
	}
	out := make([]accountability.Attestation, len(rs))
	for i, r := range rs {
		out[i] = accountability.Attestation{Node: r.Node, Window: r.Window, Attester: r.Attester, OfflineSeconds: r.OfflineSeconds, Signature: r.Signature}
	}
	return out, nil
}

func (s acctStore) Windows(from uint64) ([]accountability.NodeWindow, error) {
	ws, err := s.st.AttestationWindows(from)
	if err != nil {
		return nil, err
	}
	out := make([]accountability.NodeWindow, len(ws))
	for i, w := range ws {
		out[i] = accountability.NodeWindow{Node: w.Node, Window: w.Window, Count: w.Count}
	}
	return out, nil
}

func (s acctStore) Prune(before uint64) error {
	if _, err := s.st.PruneAttestations(before); err != nil {
		return err
	}
	_, err := s.st.PruneSubmissions(before)
	return err
}

func (s acctStore) Submission(node common.Address, window uint64) (accountability.Submission, bool, error) {
	r, ok, err := s.st.Submission(node, window)
	if err != nil || !ok {
		return accountability.Submission{}, ok, err
	}
	return accountability.Submission{Node: r.Node, Window: r.Window, State: r.State, TxHash: r.TxHash, At: r.At, Err: r.Err}, true, nil
}

func (s acctStore) PutSubmission(r accountability.Submission) error {
	return s.st.PutSubmission(store.SubmissionRecord{Node: r.Node, Window: r.Window, State: r.State, TxHash: r.TxHash, At: r.At, Err: r.Err})
}

// apiReports serves /v1/reports.
type apiReports struct{ n *Node }

func (a apiReports) Reports() (api.Reports, error) {
	d, cfg := a.n.acctDomain, a.n.cfg.Accountability
	if d == nil {
		return api.Reports{}, errors.New("the registry's accountability parameters are not read yet")
	}
	p := d.Params
	now := time.Now()
	cur := d.Window(now)
	out := api.Reports{
		Enabled: a.n.acct != nil, Submit: a.n.acct != nil && cfg.Submit,
		Params: api.ReportParams{
			ReportWindowSeconds: uint64(p.ReportWindow / time.Second), OfflineThresholdSeconds: uint64(p.OfflineThreshold / time.Second),
			ReportDeadlineSeconds: uint64(p.ReportDeadline / time.Second), JailPeriodSeconds: uint64(p.JailPeriod / time.Second),
			SlashBps: p.SlashBps, CommitteeSize: p.CommitteeSize,
		},
		CurrentWindow: cur, CurrentWindowEnds: d.End(cur).UTC(),
		Quorums: []api.ReportQuorum{},
	}
	if a.n.acct == nil {
		return out, nil
	}
	qs, err := a.n.acct.Quorums()
	if err != nil {
		return api.Reports{}, err
	}
	for _, q := range qs {
		rq := api.ReportQuorum{
			Node: q.Node, Window: q.Window, WindowStart: d.Start(q.Window).UTC(), Deadline: d.Deadline(q.Window).UTC(),
			Attestations: q.Kept, Eligible: len(q.Eligible), Needed: q.Needed, Met: q.Needed > 0 && len(q.Eligible) >= q.Needed,
		}
		if sub, ok, err := a.n.st.Submission(q.Node, q.Window); err != nil {
			return api.Reports{}, err
		} else if ok {
			rq.Submission = &api.ReportSubmission{State: sub.State, At: sub.At.UTC(), Error: sub.Err}
			if sub.TxHash != (common.Hash{}) {
				rq.Submission.TxHash = sub.TxHash.Hex()
			}
		}
		out.Quorums = append(out.Quorums, rq)
	}
	return out, nil
}
