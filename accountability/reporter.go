package accountability

import (
	"context"

	"github.com/ethereum/go-ethereum/common"

	"validator/chain"
)

// ChainReporter sends reports through a chain.Transactor from the operator's
// account.
type ChainReporter struct {
	Tx      *chain.Transactor
	Backend chain.Backend
}

var _ Reporter = (*ChainReporter)(nil)

// Reported says whether the registry has the report, or no longer lists node
// as active.
func (r *ChainReporter) Reported(ctx context.Context, node common.Address, window uint64) (bool, error) {
	ok, err := chain.ReadReported(ctx, r.Backend, r.Tx.Registry(), node, window)
	if err != nil || ok {
		return ok, err
	}
	n, err := chain.ReadNode(ctx, r.Backend, r.Tx.Registry(), node)
	if err != nil {
		return false, err
	}
	return n.Status != chain.StatusActive, nil
}

// Report sends the report and waits for it to be mined.
func (r *ChainReporter) Report(ctx context.Context, node common.Address, window uint64, atts []Attestation) (common.Hash, error) {
	cas := make([]chain.Attestation, len(atts))
	for i, a := range atts {
		cas[i] = chain.Attestation{Attester: a.Attester, OfflineSeconds: a.OfflineSeconds, Signature: a.Signature}
	}
	rc, err := r.Tx.ReportOffline(ctx, node, window, cas)
	return rc.TxHash, err
}
