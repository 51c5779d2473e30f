package store_test

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"validator/store"
)

// Ingest: one record per op; records/s is the figure to compare with the raw
// Badger baseline below. Every record has its own key (100 peers, advancing
// start times), as in production.
func BenchmarkIngest(b *testing.B) {
	const peers = 100
	gen := func() func() store.Summary {
		base, i := time.Now().Add(-24*time.Hour), 0
		return func() store.Summary {
			sm := summary(peer(i%peers), base.Add(time.Duration(i/peers)*time.Minute), i%7)
			i++
			return sm
		}
	}
	b.Run("batched-1000", func(b *testing.B) {
		s := open(b, b.TempDir())
		next := gen()
		batch := make([]store.Summary, 0, 1000)
		b.ResetTimer()
		for n := 0; n < b.N; n += len(batch) {
			batch = batch[:0]
			for range min(1000, b.N-n) {
				batch = append(batch, next())
			}
			if err := s.AddSummaries(batch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("single", func(b *testing.B) {
		s := open(b, b.TempDir())
		next := gen()
		b.ResetTimer()
		for range b.N {
			if err := s.AddSummary(next()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

// BenchmarkBadgerWriteBatch is the baseline: raw Badger WriteBatch under
// 29-byte keys (a summary key's length) of 128-byte values (the reference
// figure's setting) and of values the size of an encoded summary, with the
// store's Badger options and with Badger's defaults.
func BenchmarkBadgerWriteBatch(b *testing.B) {
	summaryLen := store.EncodedLen(summary(peer(1), time.Now(), 3))
	for _, tc := range []struct {
		name string
		opts func(dir string) badger.Options
	}{
		{"store-options", store.BadgerOptions},
		{"badger-defaults", func(dir string) badger.Options {
			return badger.DefaultOptions(dir).WithLogger(nil)
		}},
	} {
		for _, size := range []int{128, summaryLen} {
			b.Run(fmt.Sprintf("%s/%dB", tc.name, size), func(b *testing.B) {
				db, err := badger.Open(tc.opts(b.TempDir()))
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				val := make([]byte, size)
				key := make([]byte, 29)
				b.ResetTimer()
				wb := db.NewWriteBatch()
				for i := range b.N {
					binary.BigEndian.PutUint64(key[21:], uint64(i))
					key[20] = byte(i % 100)
					if err := wb.Set(append([]byte(nil), key...), val); err != nil {
						b.Fatal(err)
					}
				}
				if err := wb.Flush(); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// The query benchmark shares one store of 1,000,000 summaries (100 peers ×
// 10,000 one-minute summaries, about a week each), built on first use.
const (
	benchPeers     = 100
	benchPerPeer   = 10_000
	benchBatchSize = 1000
)

var bench struct {
	once  sync.Once
	dir   string
	base  time.Time
	store *store.Store
	err   error
}

func benchStore(b *testing.B) (*store.Store, time.Time) {
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "store-bench-")
		if bench.err != nil {
			return
		}
		bench.base = time.Unix(0, time.Now().Add(-benchPerPeer*time.Minute).UnixNano())
		bench.store, bench.err = store.Open(bench.dir)
		if bench.err != nil {
			return
		}
		start := time.Now()
		batch := make([]store.Summary, 0, benchBatchSize)
		for i := range benchPerPeer {
			for p := range benchPeers {
				batch = append(batch, summary(peer(p), bench.base.Add(time.Duration(i)*time.Minute), i%7))
				if len(batch) == benchBatchSize {
					if bench.err = bench.store.AddSummaries(batch); bench.err != nil {
						return
					}
					batch = batch[:0]
				}
			}
		}
		lsm, vlog := bench.store.Size()
		b.Logf("built %d summaries in %s; lsm %d B, vlog %d B", benchPeers*benchPerPeer, time.Since(start), lsm, vlog)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.store, bench.base
}

func cleanupBenchStore() {
	if bench.store != nil {
		bench.store.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
}

func BenchmarkQuery(b *testing.B) {
	s, base := benchStore(b)
	for _, tc := range []struct {
		name   string
		window time.Duration
	}{{"1h", time.Hour}, {"24h", 24 * time.Hour}} {
		b.Run(tc.name, func(b *testing.B) {
			want := int(tc.window/time.Minute) + 1
			rng := rand.New(rand.NewPCG(1, 2))
			b.ResetTimer()
			for range b.N {
				from := base.Add(time.Duration(rng.IntN(benchPerPeer-want)) * time.Minute)
				got, err := s.Summaries(peer(rng.IntN(benchPeers)), from, from.Add(tc.window))
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != want {
					b.Fatalf("got %d summaries, want %d", len(got), want)
				}
			}
			b.ReportMetric(float64(want), "records/op")
		})
	}
}

// BenchmarkDiskPerPeerDay writes one day of per-minute summaries (one batch
// per minute for all peers) and 24 transitions per peer for 100 peers, closes
// the store and reports the directory's allocated size (what du reports) per
// peer, and the sorted tables' bytes per record. The apparent size is not the
// figure: Badger's DISCARD file is a sparse 1 MiB.
func BenchmarkDiskPerPeerDay(b *testing.B) {
	const peers = 100
	for b.Loop() {
		dataDir := b.TempDir()
		s, err := store.Open(dataDir)
		if err != nil {
			b.Fatal(err)
		}
		day := time.Now().Add(-24 * time.Hour)
		batch := make([]store.Summary, peers)
		for m := range 24 * 60 {
			for p := range peers {
				batch[p] = summary(peer(p), day.Add(time.Duration(m)*time.Minute), m%7)
			}
			if err := s.AddSummaries(batch); err != nil {
				b.Fatal(err)
			}
			if m%60 == 0 {
				for p := range peers {
					tr := store.Transition{Peer: peer(p), At: day.Add(time.Duration(m)*time.Minute + time.Second), From: store.Responsive, To: store.Slow, Reason: "rtt above slow_rtt"}
					if err := s.AddTransition(tr); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		lsm, _ := s.Size()
		b.ReportMetric(float64(dirAllocated(b, dataDir))/peers, "B/peer-day")
		b.ReportMetric(float64(lsm)/(peers*(24*60+24)), "sstB/record")
	}
}

func dirAllocated(b *testing.B, dir string) (allocated int64) {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			allocated += st.Blocks * 512
		} else {
			allocated += fi.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return allocated
}
