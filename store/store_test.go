package store_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"

	"validator/store"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		runCrashChild()
		os.Exit(0)
	}
	code := m.Run()
	cleanupBenchStore() // shared by benchmarks, so closed only here
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func open(t testing.TB, dir string, opts ...store.Option) *store.Store {
	t.Helper()
	s, err := store.Open(dir, opts...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// peer returns the node ID whose last bytes are i, big-endian.
func peer(i int) common.Address {
	var a common.Address
	binary.BigEndian.PutUint64(a[common.AddressLength-8:], uint64(i))
	return a
}

// now is a time with no monotonic reading and the location decoded times get,
// so stored and loaded records compare with reflect.DeepEqual.
func now() time.Time { return time.Unix(0, time.Now().UnixNano()) }

func summary(p common.Address, start time.Time, i int) store.Summary {
	return store.Summary{
		Peer: p, Start: start, End: start.Add(time.Minute),
		PingsSent: uint32(6 + i), PingsAnswered: uint32(5 + i),
		RTTMin: time.Duration(i+1) * time.Millisecond, RTTMean: time.Duration(i+2) * time.Millisecond,
		RTTMax: time.Duration(i+30) * time.Millisecond, Offline: time.Duration(i) * time.Second,
		Rejected: uint32(i % 3),
	}
}

// fixture is one of each record kind for three peers, 10 evidence records each.
type fixture struct {
	base        time.Time
	transitions map[common.Address][]store.Transition
	summaries   map[common.Address][]store.Summary
	peers       []store.PeerRecord
	addrs       []store.AddrRecord
}

// Peers 1 and 2 differ in the last byte only, and 256 in the second last, so
// a scan that leaks past its prefix would pick up a neighbour's records.
var fixturePeers = []common.Address{peer(1), peer(2), peer(256)}

func writeFixture(t *testing.T, s *store.Store) fixture {
	t.Helper()
	f := fixture{
		base:        now().Add(-time.Hour),
		transitions: map[common.Address][]store.Transition{},
		summaries:   map[common.Address][]store.Summary{},
	}
	states := []store.State{store.Unknown, store.Responsive, store.Slow, store.Offline}
	for pi, p := range fixturePeers {
		var batch []store.Summary
		for i := range 10 {
			at := f.base.Add(time.Duration(i) * time.Minute)
			tr := store.Transition{Peer: p, At: at, From: states[i%4], To: states[(i+1)%4], Reason: fmt.Sprintf("reason %d", i)}
			if err := s.AddTransition(tr); err != nil {
				t.Fatal(err)
			}
			f.transitions[p] = append(f.transitions[p], tr)
			sm := summary(p, at, i+pi)
			if i%2 == 0 {
				if err := s.AddSummary(sm); err != nil {
					t.Fatal(err)
				}
			} else {
				batch = append(batch, sm)
			}
			f.summaries[p] = append(f.summaries[p], sm)
		}
		if err := s.AddSummaries(batch); err != nil {
			t.Fatal(err)
		}
		f.peers = append(f.peers, store.PeerRecord{Peer: p, State: states[pi%4], Since: f.base, Score: 0.25 * float64(pi), UpdatedAt: f.base.Add(time.Second)})
		a := store.AddrRecord{Peer: p, PeerID: fmt.Sprintf("16Uiu2peer%d", pi), Addrs: []string{"/ip4/10.0.0.1/udp/9000/quic-v1", fmt.Sprintf("/ip4/10.0.0.%d/tcp/9000", pi)}, Version: "v0.1.0", Seen: now()}
		if stored, err := s.PutAddr(a); err != nil || !stored {
			t.Fatalf("put addr: stored=%v err=%v", stored, err)
		}
		f.addrs = append(f.addrs, a)
	}
	// A peer that went silent longer ago than the retention is kept on disk
	// until GC but never returned.
	if _, err := s.PutAddr(store.AddrRecord{Peer: peer(999), PeerID: "old", Seen: now().Add(-31 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPeers(f.peers); err != nil {
		t.Fatal(err)
	}
	return f
}

func checkFixture(t *testing.T, s *store.Store, f fixture) {
	t.Helper()
	far := f.base.Add(24 * time.Hour)
	for _, p := range fixturePeers {
		trs, err := s.Transitions(p, f.base, far)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(trs, f.transitions[p]) {
			t.Errorf("transitions of %s:\n got %+v\nwant %+v", p, trs, f.transitions[p])
		}
		sms, err := s.Summaries(p, time.Time{}, far)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sms, f.summaries[p]) {
			t.Errorf("summaries of %s:\n got %+v\nwant %+v", p, sms, f.summaries[p])
		}
	}
	peers, err := s.Peers()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(peers, f.peers) {
		t.Errorf("peers:\n got %+v\nwant %+v", peers, f.peers)
	}
	addrs, err := s.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(addrs, f.addrs) {
		t.Errorf("addrs:\n got %+v\nwant %+v", addrs, f.addrs)
	}
}

func TestRoundTrip(t *testing.T) {
	s := open(t, t.TempDir())
	checkFixture(t, s, writeFixture(t, s))
}

func TestRangeQueries(t *testing.T) {
	s := open(t, t.TempDir())
	f := writeFixture(t, s)
	at := func(i int) time.Time { return f.base.Add(time.Duration(i) * time.Minute) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []int // indexes into the fixture's records of the peer
	}{
		{"inclusive both ends", at(3), at(6), []int{3, 4, 5, 6}},
		{"between records", at(3).Add(time.Nanosecond), at(6).Add(-time.Nanosecond), []int{4, 5}},
		{"single instant", at(7), at(7), []int{7}},
		{"everything", time.Time{}, time.Unix(1<<40, 0), []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"before all", at(-10), at(-1), nil},
		{"after all", at(10), at(20), nil},
		{"reversed", at(6), at(3), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range fixturePeers {
				trs, err := s.Transitions(p, tc.from, tc.to)
				if err != nil {
					t.Fatal(err)
				}
				sms, err := s.Summaries(p, tc.from, tc.to)
				if err != nil {
					t.Fatal(err)
				}
				var wantT []store.Transition
				var wantS []store.Summary
				for _, i := range tc.want {
					wantT = append(wantT, f.transitions[p][i])
					wantS = append(wantS, f.summaries[p][i])
				}
				if !reflect.DeepEqual(trs, wantT) {
					t.Errorf("transitions of %s: got %+v, want %+v", p, trs, wantT)
				}
				if !reflect.DeepEqual(sms, wantS) {
					t.Errorf("summaries of %s: got %+v, want %+v", p, sms, wantS)
				}
			}
		})
	}
	// A peer with no records sees none of its neighbours'.
	for _, p := range []common.Address{peer(0), peer(3), peer(255), peer(257)} {
		trs, err1 := s.Transitions(p, time.Time{}, time.Unix(1<<40, 0))
		sms, err2 := s.Summaries(p, time.Time{}, time.Unix(1<<40, 0))
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		if len(trs)+len(sms) != 0 {
			t.Errorf("peer %s: got %d transitions and %d summaries of other peers", p, len(trs), len(sms))
		}
	}
}

// TestRangeScanIsBounded checks that a range query visits only the keys in its
// range (plus the one that ends the scan), however much else is stored.
func TestRangeScanIsBounded(t *testing.T) {
	s := open(t, t.TempDir())
	base := now().Add(-24 * time.Hour)
	for _, p := range []common.Address{peer(1), peer(2), peer(3)} {
		batch := make([]store.Summary, 0, 500)
		for i := range 500 {
			batch = append(batch, summary(p, base.Add(time.Duration(i)*time.Minute), i))
		}
		if err := s.AddSummaries(batch); err != nil {
			t.Fatal(err)
		}
	}
	var visited int
	restore := store.SetScanHook(func([]byte) { visited++ })
	defer restore()
	got, err := s.Summaries(peer(2), base.Add(100*time.Minute), base.Add(109*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("got %d summaries, want 10", len(got))
	}
	if visited > 11 {
		t.Errorf("query of 10 records visited %d keys", visited)
	}
}

// TestLargeBatch writes more summaries in one call than fit in one Badger
// transaction.
func TestLargeBatch(t *testing.T) {
	s := open(t, t.TempDir())
	base := now().Add(-30 * 24 * time.Hour)
	batch := make([]store.Summary, 30_000)
	for i := range batch {
		batch[i] = summary(peer(1), base.Add(time.Duration(i)*time.Minute), i)
	}
	if err := s.AddSummaries(batch); err != nil {
		t.Fatal(err)
	}
	got, err := s.Summaries(peer(1), base, base.Add(time.Duration(len(batch))*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, batch) {
		t.Errorf("got %d summaries back of %d written", len(got), len(batch))
	}
}

func TestTransitionsAtSameInstant(t *testing.T) {
	s := open(t, t.TempDir())
	at := now()
	a := store.Transition{Peer: peer(1), At: at, From: store.Responsive, To: store.Slow, Reason: "rtt"}
	b := store.Transition{Peer: peer(1), At: at, From: store.Slow, To: store.Offline, Reason: "misses"}
	for _, tr := range []store.Transition{a, b, a} { // a twice: idempotent
		if err := s.AddTransition(tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Transitions(peer(1), at, at)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []store.Transition{a, b}) {
		t.Errorf("got %+v, want both transitions once", got)
	}
}

func TestRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := writeFixture(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := s.AddSummary(summary(peer(1), now(), 0)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("write after close: got %v, want ErrClosed", err)
	}
	if _, err := s.Peers(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("read after close: got %v, want ErrClosed", err)
	}
	if _, err := os.Stat(dir + "/db"); err != nil {
		t.Fatalf("database not under <data_dir>/db: %v", err)
	}
	checkFixture(t, open(t, dir), f)
}

func TestSchemaVersion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		key     []byte
		val     []byte
		mention []string
	}{
		{"newer", store.SchemaKey(), binary.AppendUvarint(nil, 999), []string{"999", fmt.Sprint(store.SchemaVersion), "newer validator"}},
		{"older", store.SchemaKey(), binary.AppendUvarint(nil, 0), []string{"version 0", "no migration"}},
		{"foreign database", []byte("someone else's key"), []byte("x"), []string{"not a validator store"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.name != "foreign database" {
				s, err := store.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if err := store.RawPut(dir, tc.key, tc.val); err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(dir)
			if err == nil {
				s.Close()
				t.Fatal("opened a database with an unsupported schema")
			}
			if !errors.Is(err, store.ErrSchemaVersion) {
				t.Fatalf("got %v, want ErrSchemaVersion", err)
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
	// And the current version opens, twice (the stamp is written once and read back).
	dir := t.TempDir()
	for range 2 {
		s, err := store.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

func TestRetention(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := open(t, t.TempDir(), store.WithRetention(2*time.Second), store.WithGCInterval(200*time.Millisecond), store.WithRegisterer(reg))
	p := peer(7)
	t0 := now()
	if err := s.AddTransition(store.Transition{Peer: p, At: t0, From: store.Responsive, To: store.Offline}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSummaries([]store.Summary{summary(p, t0, 0), summary(p, t0.Add(time.Minute), 1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPeers([]store.PeerRecord{{Peer: p, State: store.Offline, Since: t0}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAddr(store.AddrRecord{Peer: p, PeerID: "fresh", Seen: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAddr(store.AddrRecord{Peer: peer(8), PeerID: "silent", Seen: t0.Add(-3 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	// Accountability records are pruned by window, never expired by retention.
	sig := make([]byte, store.AttestationSignatureLen)
	if _, err := s.PutAttestation(store.AttestationRecord{Node: p, Window: 1, Attester: peer(8), Signature: sig, Received: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSubmission(store.SubmissionRecord{Node: p, Window: 1, State: store.SubmissionSending, At: t0}); err != nil {
		t.Fatal(err)
	}
	count := func() (tr, sm, addrs int) {
		t.Helper()
		trs, err1 := s.Transitions(p, time.Time{}, t0.Add(time.Hour))
		sms, err2 := s.Summaries(p, time.Time{}, t0.Add(time.Hour))
		as, err3 := s.Addrs()
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		return len(trs), len(sms), len(as)
	}
	if tr, sm, as := count(); tr != 1 || sm != 2 || as != 1 {
		t.Fatalf("before expiry: %d transitions, %d summaries, %d addrs; want 1, 2, 1", tr, sm, as)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		tr, sm, as := count()
		if tr == 0 && sm == 0 && as == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5s with 2s retention: %d transitions, %d summaries, %d addrs remain", tr, sm, as)
		}
		time.Sleep(100 * time.Millisecond)
	}
	peers, err := s.Peers()
	if err != nil || len(peers) != 1 {
		t.Fatalf("peer records must not expire: %v %v", peers, err)
	}
	as, err1 := s.Attestations(p, 1)
	_, found, err2 := s.Submission(p, 1)
	if err := errors.Join(err1, err2); err != nil || len(as) != 1 || !found {
		t.Fatalf("attestations and submissions must not expire: %d attestations, submission found %v, %v", len(as), found, err)
	}
	// GC deletes both address-book entries (not just hides them).
	deadline = time.Now().Add(3 * time.Second)
	for metricValue(t, reg, "validator_store_addrs_expired_total") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("GC did not delete the expired address-book entries")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAddrNewestWins(t *testing.T) {
	s := open(t, t.TempDir())
	t0 := now()
	put := func(id string, seen time.Time, wantStored bool) {
		t.Helper()
		stored, err := s.PutAddr(store.AddrRecord{Peer: peer(1), PeerID: id, Seen: seen})
		if err != nil {
			t.Fatal(err)
		}
		if stored != wantStored {
			t.Errorf("put %s: stored=%v, want %v", id, stored, wantStored)
		}
	}
	put("b", t0, true)
	put("a", t0.Add(-time.Second), false)
	put("b2", t0, false)
	put("c", t0.Add(time.Second), true)
	got, err := s.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].PeerID != "c" {
		t.Errorf("got %+v, want only c", got)
	}

	// Concurrent writers of one peer: the newest heartbeat wins.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				seen := t0.Add(time.Duration(2+i*4+w) * time.Millisecond)
				if _, err := s.PutAddr(store.AddrRecord{Peer: peer(2), PeerID: fmt.Sprint(i*4 + w), Seen: seen}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err = s.Addrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if a.Peer == peer(2) && a.PeerID != fmt.Sprint(49*4+3) {
			t.Errorf("concurrent puts: kept %s, want %d", a.PeerID, 49*4+3)
		}
	}
}

func TestDeletePeers(t *testing.T) {
	s := open(t, t.TempDir())
	t0 := now()
	if err := s.PutPeers([]store.PeerRecord{{Peer: peer(1), State: store.Slow, UpdatedAt: t0}, {Peer: peer(2), State: store.Responsive, UpdatedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	// Zero Since round-trips as the zero time.
	if err := s.DeletePeers([]common.Address{peer(1)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Peers()
	if err != nil {
		t.Fatal(err)
	}
	want := []store.PeerRecord{{Peer: peer(2), State: store.Responsive, UpdatedAt: t0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestInvalidRecordsAreRefused(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := open(t, t.TempDir(), store.WithRegisterer(reg))
	t0 := now()
	good := summary(peer(1), t0, 0)
	bad := summary(peer(1), t0.Add(time.Minute), 0)
	bad.End = bad.Start.Add(-time.Second)
	for name, err := range map[string]error{
		"zero transition time": s.AddTransition(store.Transition{Peer: peer(1)}),
		"unknown state":        s.AddTransition(store.Transition{Peer: peer(1), At: t0, To: store.State(9)}),
		"zero summary start":   s.AddSummary(store.Summary{Peer: peer(1), End: t0}),
		"end before start":     s.AddSummary(bad),
		"batch with one bad":   s.AddSummaries([]store.Summary{good, bad}),
		"year 3000":            s.AddSummary(summary(peer(1), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), 0)),
		"peer state":           s.PutPeers([]store.PeerRecord{{Peer: peer(1), State: store.State(5)}}),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := s.PutAddr(store.AddrRecord{Peer: peer(1)}); err == nil {
		t.Error("addr with zero seen: accepted")
	}
	for kind, want := range map[string]float64{"transition": 2, "summary": 4, "peer": 1, "addr": 1} {
		if got := metricValue(t, reg, "validator_store_write_errors_total", "kind", kind); got != want {
			t.Errorf("write_errors_total{kind=%q} = %v, want %v", kind, got, want)
		}
	}
	trs, err1 := s.Transitions(peer(1), time.Time{}, time.Unix(1<<40, 0))
	sms, err2 := s.Summaries(peer(1), time.Time{}, time.Unix(1<<40, 0))
	ps, err3 := s.Peers()
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if len(trs)+len(sms)+len(ps) != 0 {
		t.Errorf("refused records were written: %v %v %v", trs, sms, ps)
	}
}

func TestCorruptValue(t *testing.T) {
	p := peer(5)
	t0 := now()
	good := summary(p, t0, 0)
	read := map[string]func(*store.Store) error{
		"summary": func(s *store.Store) error { _, err := s.Summaries(p, time.Time{}, t0.Add(time.Hour)); return err },
		"transition": func(s *store.Store) error {
			_, err := s.Transitions(p, time.Time{}, t0.Add(time.Hour))
			return err
		},
		"peer": func(s *store.Store) error { _, err := s.Peers(); return err },
		"addr": func(s *store.Store) error { _, err := s.Addrs(); return err },
	}
	keys := map[string][]byte{
		"summary":    store.SummaryKey(p, t0),
		"transition": store.TransitionKey(store.Transition{Peer: p, At: t0, From: store.Responsive, To: store.Slow}),
		"peer":       store.PeerKey(p),
		"addr":       store.AddrKey(p),
	}
	values := map[string][]byte{
		"empty":          {},
		"unknown format": {0x7f, 1, 2, 3},
		"truncated":      {1},
		"huge length":    {1, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"trailing bytes": append(append([]byte{1}, make([]byte, 40)...), 0xff, 0xff, 0xff),
	}
	for kind, key := range keys {
		for vname, val := range values {
			t.Run(kind+"/"+vname, func(t *testing.T) {
				dir := t.TempDir()
				s, err := store.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				// A good record next to the corrupt one.
				if err := s.AddSummary(good); err != nil {
					t.Fatal(err)
				}
				s.Close()
				if err := store.RawPut(dir, key, val); err != nil {
					t.Fatal(err)
				}
				s = open(t, dir)
				err = read[kind](s)
				if !errors.Is(err, store.ErrCorrupt) {
					t.Fatalf("got %v, want ErrCorrupt", err)
				}
				if !strings.Contains(err.Error(), kind) || !strings.Contains(err.Error(), fmt.Sprintf("%x", key)) {
					t.Errorf("error %q does not name the %s record %x", err, kind, key)
				}
			})
		}
	}
}

// metricValue returns the value of the counter or gauge name{labels...}; it
// fails the test if there is no such series.
func metricValue(t *testing.T, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	v, ok := findMetric(t, g, name, labels...)
	if !ok {
		t.Fatalf("metric %s%v not found", name, labels)
	}
	return v
}

func findMetric(t *testing.T, g prometheus.Gatherer, name string, labels ...string) (float64, bool) {
	t.Helper()
	for _, mf := range mustGather(t, g) {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				if !slices.ContainsFunc(m.GetLabel(), func(lp *dto.LabelPair) bool {
					return lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
				}) {
					continue next
				}
			}
			if m.Counter != nil {
				return m.Counter.GetValue(), true
			}
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

func mustGather(t *testing.T, g prometheus.Gatherer) []*dto.MetricFamily {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	dir := t.TempDir()
	s := open(t, dir, store.WithRegisterer(reg))
	writeFixture(t, s)

	problems, err := promlint.NewWithMetricFamilies(mustGather(t, reg)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	for kind, want := range map[string]float64{"transition": 30, "summary": 30, "peer": 3, "addr": 4} {
		if got := metricValue(t, reg, "validator_store_writes_total", "kind", kind); got != want {
			t.Errorf("writes_total{kind=%q} = %v, want %v", kind, got, want)
		}
		// Pre-initialised even when zero.
		metricValue(t, reg, "validator_store_write_errors_total", "kind", kind)
		metricValue(t, reg, "validator_store_corrupt_records_total", "kind", kind)
	}
	if got := metricValue(t, reg, "validator_store_size_bytes", "part", "vlog"); got <= 0 {
		t.Errorf("size_bytes{part=vlog} = %v, want > 0 (the write-ahead log holds the writes)", got)
	}
	metricValue(t, reg, "validator_store_size_bytes", "part", "lsm")
	metricValue(t, reg, "validator_store_gc_runs_total")

	// Close unregisters, so the store can be reopened on the same registry.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := findMetric(t, reg, "validator_store_gc_runs_total"); ok {
		t.Error("metrics still registered after Close")
	}
	s2 := open(t, dir, store.WithRegisterer(reg))
	if got := metricValue(t, reg, "validator_store_size_bytes", "part", "lsm"); got <= 0 {
		t.Errorf("after reopen, size_bytes{part=lsm} = %v, want > 0 (close flushed the memtable)", got)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
}

// A kill while Badger creates a memtable file leaves it empty, and Badger then
// refuses to open the database ("Create a new file"), so the node could not
// restart (seen once in TestCrashSafety under load). Open removes such a file
// and opens the store, with its data.
func TestOpenAfterKillDuringMemtableCreation(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec := store.Transition{Peer: peer(1), At: time.Unix(1_700_000_000, 0), From: store.Responsive, To: store.Offline, Reason: "missed_3_pings"}
	if err := s.AddTransition(rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "db", "00099.mem"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = store.Open(dir)
	if err != nil {
		t.Fatalf("open after an interrupted memtable creation: %v", err)
	}
	defer s.Close()
	trs, err := s.Transitions(peer(1), time.Time{}, time.Unix(1<<40, 0))
	if err != nil || len(trs) != 1 {
		t.Fatalf("transitions after reopen: %v, %v", trs, err)
	}
}
