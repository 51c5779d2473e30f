// Package store is the durable record of peer liveness: state transitions and
// per-interval summaries (evidence), the current state and score of every peer,
// the heartbeat address book, and the accountability records (offline
// attestations per node and report window, and the state of this node's
// report submissions). It keeps them in a Badger database under
// <data_dir>/db; no Badger type leaves the package.
//
// Evidence expires by itself: every transition and summary is written with a
// Badger TTL equal to the retention, counted from the moment it is written.
// Peer records never expire; address-book entries whose heartbeat is older
// than the retention are hidden on read and deleted by the periodic GC.
// Attestations and submissions are kept per report window until the caller
// prunes them (PruneAttestations, PruneSubmissions); at most MaxAttestations
// attestations are kept.
//
// A write that returned nil survives a crash of the process (Badger appends it
// to a memory-mapped write-ahead log before acknowledging). Surviving a power
// loss or kernel crash as well needs WithSyncWrites(true), at a cost in
// throughput.
package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
)

// schemaVersion is the layout of keys and values this binary reads and writes.
// It is stamped into a new database and checked on every open.
const schemaVersion = 1

// SchemaVersion is the store schema this binary reads and writes; Open refuses
// a directory written with another, so a running node's store has it
// (/v1/status reports it as store_schema_version; validator doctor compares).
const SchemaVersion = schemaVersion

var (
	// ErrSchemaVersion is returned by Open when the database was written with a
	// schema this binary does not know.
	ErrSchemaVersion = errors.New("unsupported store schema version")
	// ErrClosed is returned by every call on a closed Store.
	ErrClosed = errors.New("store closed")
)

// Defaults.
const (
	DefaultRetention  = 30 * 24 * time.Hour
	DefaultGCInterval = 10 * time.Minute
)

// Option configures Open.
type Option func(*config)

type config struct {
	retention  time.Duration
	gcInterval time.Duration
	logger     *slog.Logger
	reg        prometheus.Registerer
	syncWrites bool

	maxAttestations int // MaxAttestations; lowered by tests
}

// WithRetention sets how long evidence is kept and how long an address-book
// entry outlives its last heartbeat (default 30 days; at least one second,
// Badger's TTL granularity).
func WithRetention(d time.Duration) Option { return func(c *config) { c.retention = d } }

// WithGCInterval sets how often value-log GC and address-book expiry run
// (default 10 minutes).
func WithGCInterval(d time.Duration) Option { return func(c *config) { c.gcInterval = d } }

// WithLogger sets the logger; Badger's own messages go to it at warn and above.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRegisterer registers the store's metrics (validator_store_*) on r.
func WithRegisterer(r prometheus.Registerer) Option { return func(c *config) { c.reg = r } }

// WithSyncWrites makes every write fsync before it returns, so that
// acknowledged records also survive a power loss (default off: they survive a
// process crash either way).
func WithSyncWrites(b bool) Option { return func(c *config) { c.syncWrites = b } }

func (c config) validate() error {
	if c.retention < time.Second {
		return fmt.Errorf("retention %s is below one second", c.retention)
	}
	if c.gcInterval <= 0 {
		return fmt.Errorf("gc interval %s is not positive", c.gcInterval)
	}
	return nil
}

// Store is the liveness database. Its methods are safe for concurrent use.
type Store struct {
	db  *badger.DB
	dir string
	cfg config
	log *slog.Logger
	m   *metrics
	km  map[string]kindMetrics

	mu     sync.RWMutex // held for reading by every call, for writing by Close
	closed bool

	addrMu   sync.Mutex
	addrLast map[common.Address]AddrRecord // last address-book entry NoteAddr wrote, per peer

	accMu    sync.Mutex   // serialises attestation and submission writes and pruning
	attCount atomic.Int64 // attestations stored, exact while accMu serialises their writes

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

type kindMetrics struct {
	writes, errors prometheus.Counter
	duration       prometheus.Observer
}

// Open opens the store in <dataDir>/db, creating it if needed, and starts its
// GC goroutine. The caller must Close it.
func Open(dataDir string, opts ...Option) (*Store, error) {
	cfg := config{
		retention:  DefaultRetention,
		gcInterval: DefaultGCInterval,
		logger:     slog.New(slog.DiscardHandler),

		maxAttestations: MaxAttestations,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("store options: %w", err)
	}
	dir := filepath.Join(dataDir, "db")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create store directory: %w", err)
	}
	// A kill while Badger creates a memtable file can leave it empty, and
	// Badger (v4.9.6, openMemTables) then refuses to open the database ("Create
	// a new file"), leaking the goroutines of the attempt. An empty memtable
	// file holds nothing: remove it first.
	if removed := removeEmptyMemtables(dir); len(removed) > 0 {
		cfg.logger.Warn("removed empty memtable files a crash left behind", "files", removed)
	}
	db, err := badger.Open(badgerOptions(dir, cfg))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	s := &Store{db: db, dir: dir, cfg: cfg, log: cfg.logger, km: map[string]kindMetrics{}}
	if err := s.checkSchema(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	n, err := s.countAttestations()
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.attCount.Store(n)
	s.m = newMetrics(cfg.reg, s.Size, func() float64 { return float64(s.attCount.Load()) })
	if err := s.m.register(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	for _, k := range kinds {
		s.km[k] = kindMetrics{
			writes:   s.m.writes.WithLabelValues(k),
			errors:   s.m.writeErrors.WithLabelValues(k),
			duration: s.m.writeDuration.WithLabelValues(k),
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go s.gcLoop(ctx)
	lsm, vlog := s.Size()
	s.log.Info("store opened", "dir", dir, "lsm_bytes", lsm, "vlog_bytes", vlog)
	return s, nil
}

// badgerOptions sizes Badger for a daemon holding megabytes, not gigabytes.
// Badger's defaults (5 memtables of 64 MiB, a 256 MiB block cache, 1 GiB
// value-log files preallocated at twice that) are built for large servers.
func badgerOptions(dir string, cfg config) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{cfg.logger.With("component", "badger")}).
		WithSyncWrites(cfg.syncWrites).
		WithMetricsEnabled(false). // Badger's expvar metrics; ours are in metrics.go
		WithMemTableSize(8 << 20).
		WithNumMemtables(3).
		WithBlockCacheSize(16 << 20). // needed because of Snappy compression
		WithNumCompactors(2).
		// Every record is a few dozen bytes and stays in the LSM tree; only a
		// pathological address record (over 1 KiB of addresses) goes to the
		// value log.
		WithValueThreshold(1 << 10).
		WithValueLogFileSize(64 << 20)
}

func (s *Store) checkSchema() error {
	return s.db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(schemaKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			if err := s.ensureEmpty(txn); err != nil {
				return err
			}
			return txn.Set(schemaKey, binary.AppendUvarint(nil, schemaVersion))
		}
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		var v uint64
		if err := item.Value(func(b []byte) error {
			var n int
			if v, n = binary.Uvarint(b); n <= 0 || n != len(b) {
				return corrupt("schema version", schemaKey, fmt.Errorf("value %x", b))
			}
			return nil
		}); err != nil {
			return err
		}
		switch {
		case v == schemaVersion:
			return nil
		case v > schemaVersion:
			return fmt.Errorf("%w: %s was written with schema version %d, this binary knows only version %d; run a newer validator release, or move the directory aside to start with an empty store (peer history is lost)",
				ErrSchemaVersion, s.dir, v, schemaVersion)
		default:
			return fmt.Errorf("%w: %s has schema version %d, this binary writes version %d and has no migration from it; move the directory aside to start with an empty store (peer history is lost)",
				ErrSchemaVersion, s.dir, v, schemaVersion)
		}
	})
}

// ensureEmpty refuses to stamp a schema onto a database that already holds
// data: that is some other program's Badger directory.
func (s *Store) ensureEmpty(txn *badger.Txn) error {
	it := txn.NewIterator(badger.IteratorOptions{})
	defer it.Close()
	it.Rewind()
	if it.Valid() {
		return fmt.Errorf("%w: %s holds data but no schema version; it is not a validator store, point data_dir elsewhere", ErrSchemaVersion, s.dir)
	}
	return nil
}

// Close stops the GC goroutine, waits for calls in flight, flushes and closes
// the database. It is idempotent.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.wg.Wait()
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("close store: %w", err)
		}
		s.m.unregister()
	})
	return s.closeErr
}

// Size returns the bytes on disk of the LSM tree (sorted tables) and of the
// logs (value log and memtable write-ahead logs, counting allocated blocks
// since Badger preallocates them as sparse files).
func (s *Store) Size() (lsm, vlog int64) {
	_ = filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // a file removed by compaction while walking
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".sst"):
			lsm += fi.Size()
		case strings.HasSuffix(path, ".vlog"), strings.HasSuffix(path, ".mem"):
			vlog += allocated(fi)
		}
		return nil
	})
	return lsm, vlog
}

// update runs fn in a write transaction and accounts for it.
func (s *Store) update(kind string, n int, fn func(*badger.Txn) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	km := s.km[kind]
	start := time.Now()
	err := s.db.Update(fn)
	km.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		km.errors.Inc()
		return fmt.Errorf("write %s: %w", kind, err)
	}
	km.writes.Add(float64(n))
	return nil
}

// setAll writes entries in txn, committing and continuing in a new transaction
// whenever one grows past Badger's limit, and commits the last one.
func (s *Store) setAll(n int, entry func(i int) *badger.Entry) error {
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	for i := range n {
		e := entry(i)
		err := txn.SetEntry(e)
		if errors.Is(err, badger.ErrTxnTooBig) {
			if err = txn.Commit(); err != nil {
				return err
			}
			txn = s.db.NewTransaction(true)
			err = txn.SetEntry(e)
		}
		if err != nil {
			return err
		}
	}
	return txn.Commit()
}

func (s *Store) evidence(key, val []byte) *badger.Entry {
	return badger.NewEntry(key, val).WithTTL(s.cfg.retention)
}

func validTransition(tr Transition) error {
	if err := checkTime("transition time", tr.At, false); err != nil {
		return err
	}
	if !tr.From.valid() || !tr.To.valid() {
		return fmt.Errorf("transition %s -> %s: unknown state", tr.From, tr.To)
	}
	return nil
}

func validSummary(sm Summary) error {
	if err := checkTime("summary start", sm.Start, false); err != nil {
		return err
	}
	if err := checkTime("summary end", sm.End, false); err != nil {
		return err
	}
	if sm.End.Before(sm.Start) {
		return fmt.Errorf("summary ends (%s) before it starts (%s)", sm.End, sm.Start)
	}
	return nil
}

// AddTransition records a state transition.
func (s *Store) AddTransition(tr Transition) error {
	if err := validTransition(tr); err != nil {
		s.km[kindTransition].errors.Inc()
		return fmt.Errorf("write %s of %s: %w", kindTransition, tr.Peer, err)
	}
	return s.update(kindTransition, 1, func(txn *badger.Txn) error {
		return txn.SetEntry(s.evidence(transitionKey(tr), encodeTransition(tr)))
	})
}

// AddSummary records one interval summary. A summary with the same peer and
// start as a stored one replaces it.
func (s *Store) AddSummary(sm Summary) error {
	if err := validSummary(sm); err != nil {
		s.km[kindSummary].errors.Inc()
		return fmt.Errorf("write %s of %s: %w", kindSummary, sm.Peer, err)
	}
	return s.update(kindSummary, 1, func(txn *badger.Txn) error {
		return txn.SetEntry(s.evidence(summaryKey(sm), encodeSummary(sm)))
	})
}

// AddSummaries records a batch of summaries in one transaction (several if
// the batch exceeds Badger's transaction limit, about 13,000 records). An
// invalid summary fails the whole batch before anything is written.
func (s *Store) AddSummaries(batch []Summary) error {
	for _, sm := range batch {
		if err := validSummary(sm); err != nil {
			s.km[kindSummary].errors.Inc()
			return fmt.Errorf("write %s of %s: %w", kindSummary, sm.Peer, err)
		}
	}
	if len(batch) == 0 {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	km := s.km[kindSummary]
	start := time.Now()
	err := s.setAll(len(batch), func(i int) *badger.Entry {
		return s.evidence(summaryKey(batch[i]), encodeSummary(batch[i]))
	})
	km.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		km.errors.Inc()
		return fmt.Errorf("write %d summaries: %w", len(batch), err)
	}
	km.writes.Add(float64(len(batch)))
	return nil
}

// PutPeers stores the current state and score of each peer, replacing what
// was stored for them.
func (s *Store) PutPeers(peers []PeerRecord) error {
	for _, p := range peers {
		if !p.State.valid() {
			s.km[kindPeer].errors.Inc()
			return fmt.Errorf("write %s %s: unknown state %d", kindPeer, p.Peer, p.State)
		}
		if err := errors.Join(checkTime("since", p.Since, true), checkTime("updated_at", p.UpdatedAt, true)); err != nil {
			s.km[kindPeer].errors.Inc()
			return fmt.Errorf("write %s %s: %w", kindPeer, p.Peer, err)
		}
	}
	if len(peers) == 0 {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	km := s.km[kindPeer]
	start := time.Now()
	err := s.setAll(len(peers), func(i int) *badger.Entry {
		return badger.NewEntry(peerKey(peers[i].Peer), encodePeer(peers[i]))
	})
	km.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		km.errors.Inc()
		return fmt.Errorf("write %d peers: %w", len(peers), err)
	}
	km.writes.Add(float64(len(peers)))
	return nil
}

// DeletePeers forgets the stored state of peers (nodes that left the registry).
func (s *Store) DeletePeers(peers []common.Address) error {
	if len(peers) == 0 {
		return nil
	}
	return s.update(kindPeer, 0, func(txn *badger.Txn) error {
		for _, p := range peers {
			if err := txn.Delete(peerKey(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutAddr stores a peer's heartbeat addresses unless the stored entry is as
// new or newer; it reports whether it stored a.
func (s *Store) PutAddr(a AddrRecord) (bool, error) {
	if err := checkTime("seen", a.Seen, false); err != nil {
		s.km[kindAddr].errors.Inc()
		return false, fmt.Errorf("write %s of %s: %w", kindAddr, a.Peer, err)
	}
	key, val := addrKey(a.Peer), encodeAddr(a)
	var stored bool
	for attempt := 0; ; attempt++ {
		stored = false
		err := s.update(kindAddr, 1, func(txn *badger.Txn) error {
			item, err := txn.Get(key)
			switch {
			case errors.Is(err, badger.ErrKeyNotFound):
			case err != nil:
				return err
			default:
				newer := true
				if err := item.Value(func(v []byte) error {
					old, err := decodeAddr(key, v)
					if err != nil {
						s.m.corrupt.WithLabelValues(kindAddr).Inc() // replaced below
						return nil
					}
					newer = a.Seen.After(old.Seen)
					return nil
				}); err != nil {
					return err
				}
				if !newer {
					return nil
				}
			}
			stored = true
			return txn.Set(key, val)
		})
		if errors.Is(err, badger.ErrConflict) && attempt < 5 {
			continue // a concurrent PutAddr for the same peer; compare again
		}
		return stored, err
	}
}

// Transitions returns the peer's transitions with At in [from, to], oldest first.
func (s *Store) Transitions(peer common.Address, from, to time.Time) ([]Transition, error) {
	return scanRange(s, kindTransition, prefixTransition, peer, from, to, decodeTransition,
		func(t Transition) time.Time { return t.At })
}

// Summaries returns the peer's summaries with Start in [from, to], oldest first.
func (s *Store) Summaries(peer common.Address, from, to time.Time) ([]Summary, error) {
	return scanRange(s, kindSummary, prefixSummary, peer, from, to, decodeSummary,
		func(sm Summary) time.Time { return sm.Start })
}

// scanHook, when set by a test, sees every key a range scan visits.
var scanHook func(key []byte)

// scanRange reads one peer's evidence of one kind in [from, to] by seeking to
// the first key at or after from and stopping at the first key after to.
func scanRange[T any](s *Store, kind string, prefix byte, peer common.Address, from, to time.Time,
	decode func(k, v []byte) (T, error), at func(T) time.Time,
) ([]T, error) {
	if from.Before(minTime) {
		from = minTime
	}
	if to.After(maxTime) {
		to = maxTime
	}
	if to.Before(from) {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	var out []T
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: peerPrefix(prefix, peer)})
		defer it.Close()
		for it.Seek(rangeStart(prefix, peer, from)); it.Valid(); it.Next() {
			item := it.Item()
			key := item.Key()
			if scanHook != nil {
				scanHook(key)
			}
			var rec T
			if err := item.Value(func(v []byte) (err error) {
				rec, err = decode(key, v)
				return err
			}); err != nil {
				s.m.corrupt.WithLabelValues(kind).Inc()
				return corrupt(kind, key, err)
			}
			if at(rec).After(to) {
				break
			}
			out = append(out, rec)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", kind, peer, err)
	}
	return out, nil
}

// Peers returns every stored peer record, ordered by node ID.
func (s *Store) Peers() ([]PeerRecord, error) {
	var out []PeerRecord
	err := s.scanKind(kindPeer, prefixPeer, func(key, val []byte) error {
		p, err := decodePeer(key, val)
		if err == nil {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

// Addrs returns the address book, ordered by node ID, without entries whose
// heartbeat is older than the retention.
func (s *Store) Addrs() ([]AddrRecord, error) {
	cutoff := time.Now().Add(-s.cfg.retention)
	var out []AddrRecord
	err := s.scanKind(kindAddr, prefixAddr, func(key, val []byte) error {
		a, err := decodeAddr(key, val)
		if err == nil && !a.Seen.Before(cutoff) {
			out = append(out, a)
		}
		return err
	})
	return out, err
}

func (s *Store) scanKind(kind string, prefix byte, fn func(key, val []byte) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			key := it.Item().Key()
			if err := it.Item().Value(func(v []byte) error { return fn(key, v) }); err != nil {
				s.m.corrupt.WithLabelValues(kind).Inc()
				return corrupt(kind, key, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read %ss: %w", kind, err)
	}
	return nil
}

func (s *Store) gcLoop(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.gcInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.gc(); err != nil {
				s.m.gcErrors.Inc()
				s.log.Warn("store garbage collection failed", "err", err)
			}
		}
	}
}

// gc rewrites value-log files that are at least half garbage, until none is,
// and deletes address-book entries older than the retention. Expired evidence
// needs nothing: compaction drops it.
func (s *Store) gc() error {
	s.m.gcRuns.Inc()
	for {
		err := s.db.RunValueLogGC(0.5)
		if err == nil {
			s.m.vlogRewrites.Inc()
			continue
		}
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			break
		}
		return fmt.Errorf("value-log gc: %w", err)
	}
	return s.expireAddrs(time.Now().Add(-s.cfg.retention))
}

// expireAddrs deletes address-book entries seen before cutoff. It reads and
// deletes in one transaction, so a concurrent PutAddr of a fresh heartbeat
// makes it conflict (and wait for the next cycle) rather than be deleted.
func (s *Store) expireAddrs(cutoff time.Time) error {
	var n int
	err := s.db.Update(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixAddr}})
		defer it.Close()
		var stale [][]byte
		for it.Rewind(); it.Valid(); it.Next() {
			key := it.Item().KeyCopy(nil)
			_ = it.Item().Value(func(v []byte) error {
				if a, err := decodeAddr(key, v); err == nil && a.Seen.Before(cutoff) {
					stale = append(stale, key)
				}
				return nil // a corrupt entry is reported by Addrs and replaced by PutAddr
			})
		}
		for _, k := range stale {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		n = len(stale)
		return nil
	})
	if errors.Is(err, badger.ErrConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("expire address book: %w", err)
	}
	s.m.addrsExpired.Add(float64(n))
	return nil
}

// removeEmptyMemtables removes the empty memtable files (*.mem) of dir and
// returns their names.
func removeEmptyMemtables(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".mem") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Size() == 0 && os.Remove(filepath.Join(dir, e.Name())) == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}
