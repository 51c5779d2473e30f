package store

import (
	"log/slog"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/ethereum/go-ethereum/common"
)

// Test-only access to the internals; compiled into the test binary only.

// BadgerOptions are the options Open uses, for the raw-Badger baseline benchmark.
func BadgerOptions(dir string) badger.Options {
	return badgerOptions(dir, config{logger: slog.New(slog.DiscardHandler)})
}

// RawPut writes key=val straight into the Badger database of a closed store
// under dataDir.
func RawPut(dataDir string, key, val []byte) error {
	db, err := badger.Open(BadgerOptions(filepath.Join(dataDir, "db")))
	if err != nil {
		return err
	}
	err = db.Update(func(txn *badger.Txn) error { return txn.Set(key, val) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func SchemaKey() []byte { return schemaKey }
func SummaryKey(p common.Address, start time.Time) []byte {
	return summaryKey(Summary{Peer: p, Start: start})
}
func TransitionKey(tr Transition) []byte { return transitionKey(tr) }
func PeerKey(p common.Address) []byte    { return peerKey(p) }
func AddrKey(p common.Address) []byte    { return addrKey(p) }

// SetScanHook makes range scans report every key they visit until restore.
func SetScanHook(f func(key []byte)) (restore func()) {
	scanHook = f
	return func() { scanHook = nil }
}

// EncodedLen is the size of a summary's stored value.
func EncodedLen(s Summary) int { return len(encodeSummary(s)) }

// WithMaxAttestations lowers the attestation bound (MaxAttestations).
func WithMaxAttestations(n int) Option { return func(c *config) { c.maxAttestations = n } }

func AttestationKey(node common.Address, window uint64, attester common.Address) []byte {
	return attestationKey(node, window, attester)
}
func SubmissionKey(node common.Address, window uint64) []byte { return submissionKey(node, window) }
