package store

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
	"github.com/ethereum/go-ethereum/common"
)

// Accountability records: offline attestations received (or made) for a node
// and a report window, and the state of the report transaction this node
// submits for a (node, window). Neither carries a Badger TTL: they are keyed
// by report window, not by time, and the service deletes old windows with
// PruneAttestations and PruneSubmissions.

// AttestationSignatureLen is the length of an attestation's signature
// (r || s || v).
const AttestationSignatureLen = 65

// MaxAttestations bounds the attestations stored at once, so that a flood of
// valid-looking attestations cannot fill the disk; beyond it PutAttestation
// returns ErrFull until PruneAttestations makes room. A 10,000-node network
// with every committee attesting every node offline in one window stays far
// below it.
const MaxAttestations = 1_000_000

// MaxSubmissionErr bounds the error text kept in a SubmissionRecord; a
// longer one is cut (at a UTF-8 character boundary).
const MaxSubmissionErr = 1024

// ErrFull is returned (wrapped) by PutAttestation when MaxAttestations are
// stored.
var ErrFull = errors.New("attestation store full")

// AttestationRecord is one observer's signed statement that Node was offline
// for OfflineSeconds in report window Window, as kept by the store.
type AttestationRecord struct {
	Node           common.Address
	Window         uint64
	Attester       common.Address
	OfflineSeconds uint64
	// Signature is the attester's 65-byte signature, stored as given.
	Signature []byte
	// Received is when this node got (or made) the attestation.
	Received time.Time
}

// NodeWindow is a (node, window) that has attestations, and how many.
type NodeWindow struct {
	Node   common.Address
	Window uint64
	Count  int
}

// Submission states. A node writes SubmissionSending before it sends a
// report transaction, so that after a restart it never sends a second one
// for the same (node, window). SubmissionReported: the registry had the
// report already (another attester sent it) when this node's turn came.
const (
	SubmissionSending   = "sending"
	SubmissionSent      = "sent"
	SubmissionFailed    = "failed"
	SubmissionConfirmed = "confirmed"
	SubmissionReported  = "reported"
)

// submissionStates are the on-disk codes of the states (index = code; 0 is
// no state).
var submissionStates = []string{"", SubmissionSending, SubmissionSent, SubmissionFailed, SubmissionConfirmed, SubmissionReported}

func submissionStateCode(s string) (byte, bool) {
	for i, v := range submissionStates {
		if i > 0 && v == s {
			return byte(i), true
		}
	}
	return 0, false
}

// SubmissionRecord is the state of this node's report transaction for a node
// and a window.
type SubmissionRecord struct {
	Node   common.Address
	Window uint64
	// State is one of SubmissionSending, SubmissionSent, SubmissionFailed,
	// SubmissionConfirmed and SubmissionReported.
	State  string
	TxHash common.Hash
	At     time.Time
	// Err is why the submission failed (cut to MaxSubmissionErr bytes).
	Err string
}

func validAttestation(a AttestationRecord) error {
	if len(a.Signature) != AttestationSignatureLen {
		return fmt.Errorf("signature is %d bytes, want %d", len(a.Signature), AttestationSignatureLen)
	}
	return checkTime("received time", a.Received, false)
}

// PutAttestation stores a unless an attestation with the same node, window
// and attester is stored already: the first one kept wins, and a second one
// (equal or not) is not stored. It reports whether it stored a. When
// MaxAttestations are stored it refuses a new one with ErrFull (counted in
// validator_store_write_errors_total{kind="attestation"}).
func (s *Store) PutAttestation(a AttestationRecord) (added bool, err error) {
	if err := validAttestation(a); err != nil {
		s.km[kindAttestation].errors.Inc()
		return false, fmt.Errorf("write %s of %s in window %d by %s: %w", kindAttestation, a.Node, a.Window, a.Attester, err)
	}
	key, val := attestationKey(a.Node, a.Window, a.Attester), encodeAttestation(a)
	s.accMu.Lock()
	defer s.accMu.Unlock()
	err = s.update(kindAttestation, 0, func(txn *badger.Txn) error {
		_, err := txn.Get(key)
		switch {
		case err == nil:
			return nil // first wins
		case !errors.Is(err, badger.ErrKeyNotFound):
			return err
		}
		if n := s.attCount.Load(); n >= int64(s.cfg.maxAttestations) {
			return fmt.Errorf("%w: %d attestations stored, the most it keeps", ErrFull, n)
		}
		added = true
		return txn.Set(key, val)
	})
	if err != nil {
		return false, err
	}
	if added {
		s.attCount.Add(1)
		s.km[kindAttestation].writes.Inc()
	}
	return added, nil
}

// Attestations returns the attestations about node in window, ordered by
// attester.
func (s *Store) Attestations(node common.Address, window uint64) ([]AttestationRecord, error) {
	var out []AttestationRecord
	err := s.scanPrefix(kindAttestation, attestationPrefix(window, node), nil, true, func(key, val []byte) error {
		a, err := decodeAttestation(key, val)
		if err == nil {
			out = append(out, a)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %ss of %s in window %d: %w", kindAttestation, node, window, err)
	}
	return out, nil
}

// AttestationWindows returns every (node, window) with window >= fromWindow
// that has attestations, and how many, ordered by window and then node. It
// reads keys only.
func (s *Store) AttestationWindows(fromWindow uint64) ([]NodeWindow, error) {
	var out []NodeWindow
	err := s.scanPrefix(kindAttestation, []byte{prefixAttestation}, windowStart(prefixAttestation, fromWindow), false, func(key, _ []byte) error {
		if len(key) != attestationKeyLen {
			return errors.New("malformed key")
		}
		w, node := keyWindow(key), common.BytesToAddress(key[1+8:1+8+addrLen])
		if n := len(out); n > 0 && out[n-1].Window == w && out[n-1].Node == node {
			out[n-1].Count++
			return nil
		}
		out = append(out, NodeWindow{Node: node, Window: w, Count: 1})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s windows: %w", kindAttestation, err)
	}
	return out, nil
}

// PruneAttestations deletes the attestations of every window before
// beforeWindow and returns how many it deleted.
func (s *Store) PruneAttestations(beforeWindow uint64) (int, error) {
	s.accMu.Lock()
	defer s.accMu.Unlock()
	n, err := s.pruneWindows(kindAttestation, prefixAttestation, beforeWindow)
	s.attCount.Add(-int64(n))
	return n, err
}

func validSubmission(r SubmissionRecord) error {
	if _, ok := submissionStateCode(r.State); !ok {
		return fmt.Errorf("unknown state %q", r.State)
	}
	return checkTime("submission time", r.At, false)
}

// PutSubmission stores r, replacing the record of the same node and window.
func (s *Store) PutSubmission(r SubmissionRecord) error {
	if err := validSubmission(r); err != nil {
		s.km[kindSubmission].errors.Inc()
		return fmt.Errorf("write %s of %s in window %d: %w", kindSubmission, r.Node, r.Window, err)
	}
	r.Err = cutString(r.Err, MaxSubmissionErr)
	s.accMu.Lock()
	defer s.accMu.Unlock()
	return s.update(kindSubmission, 1, func(txn *badger.Txn) error {
		return txn.Set(submissionKey(r.Node, r.Window), encodeSubmission(r))
	})
}

// Submission returns the submission record of node in window, if any.
func (s *Store) Submission(node common.Address, window uint64) (SubmissionRecord, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return SubmissionRecord{}, false, ErrClosed
	}
	key := submissionKey(node, window)
	var r SubmissionRecord
	found := false
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := item.Value(func(v []byte) (err error) {
			r, err = decodeSubmission(key, v)
			return err
		}); err != nil {
			s.m.corrupt.WithLabelValues(kindSubmission).Inc()
			return corrupt(kindSubmission, key, err)
		}
		found = true
		return nil
	})
	if err != nil {
		return SubmissionRecord{}, false, fmt.Errorf("read %s of %s in window %d: %w", kindSubmission, node, window, err)
	}
	return r, found, nil
}

// Submissions returns every submission record with window >= fromWindow,
// ordered by window and then node.
func (s *Store) Submissions(fromWindow uint64) ([]SubmissionRecord, error) {
	var out []SubmissionRecord
	err := s.scanPrefix(kindSubmission, []byte{prefixSubmission}, windowStart(prefixSubmission, fromWindow), true, func(key, val []byte) error {
		r, err := decodeSubmission(key, val)
		if err == nil {
			out = append(out, r)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %ss: %w", kindSubmission, err)
	}
	return out, nil
}

// PruneSubmissions deletes the submission records of every window before
// beforeWindow and returns how many it deleted. A record must outlive the
// last window the registry still accepts a report for, or a restarted node
// could submit that report again (the registry would reject it, at a cost in
// gas).
func (s *Store) PruneSubmissions(beforeWindow uint64) (int, error) {
	s.accMu.Lock()
	defer s.accMu.Unlock()
	return s.pruneWindows(kindSubmission, prefixSubmission, beforeWindow)
}

// scanPrefix calls fn with every key under prefix, from seek (or the first)
// on, and its value if values is set. A key fn refuses is counted as corrupt.
func (s *Store) scanPrefix(kind string, prefix, seek []byte, values bool, fn func(key, val []byte) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: values, PrefetchSize: 100})
		defer it.Close()
		if seek == nil {
			seek = prefix
		}
		for it.Seek(seek); it.Valid(); it.Next() {
			item := it.Item()
			key := item.Key()
			if scanHook != nil {
				scanHook(key)
			}
			var err error
			if values {
				err = item.Value(func(v []byte) error { return fn(key, v) })
			} else {
				err = fn(key, nil)
			}
			if err != nil {
				s.m.corrupt.WithLabelValues(kind).Inc()
				return corrupt(kind, key, err)
			}
		}
		return nil
	})
}

// pruneChunk is how many keys pruneWindows deletes per transaction, well
// below Badger's transaction limit.
const pruneChunk = 1000

// pruneWindows deletes the keys of prefix whose window is before before, a
// chunk per transaction. The caller holds accMu.
func (s *Store) pruneWindows(kind string, prefix byte, before uint64) (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, ErrClosed
	}
	km := s.km[kind]
	start := time.Now()
	defer func() { km.duration.Observe(time.Since(start).Seconds()) }()
	end := windowStart(prefix, before)
	total := 0
	for {
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(keys) < pruneChunk; it.Next() {
				k := it.Item().Key()
				if string(k) >= string(end) {
					break
				}
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err == nil && len(keys) > 0 {
			err = s.db.Update(func(txn *badger.Txn) error {
				for _, k := range keys {
					if err := txn.Delete(k); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err != nil {
			km.errors.Inc()
			return total, fmt.Errorf("prune %ss before window %d: %w", kind, before, err)
		}
		total += len(keys)
		if len(keys) < pruneChunk {
			return total, nil
		}
	}
}

// countAttestations counts the stored attestations, reading keys only.
func (s *Store) countAttestations() (int64, error) {
	var n int64
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixAttestation}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count %ss: %w", kindAttestation, err)
	}
	return n, nil
}

// cutString returns s cut to at most n bytes, at a character boundary.
func cutString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
