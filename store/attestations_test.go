package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/prometheus/client_golang/prometheus"

	"validator/store"
)

// att is an attestation by attester about node in window w; seconds tells
// two versions of it apart.
func att(node common.Address, w uint64, attester common.Address, seconds uint64) store.AttestationRecord {
	sig := bytes.Repeat([]byte{byte(seconds)}, store.AttestationSignatureLen)
	sig[64] = 27
	return store.AttestationRecord{Node: node, Window: w, Attester: attester, OfflineSeconds: seconds, Signature: sig, Received: time.Unix(1_700_000_000, int64(seconds))}
}

func putAtt(t *testing.T, s *store.Store, a store.AttestationRecord, wantAdded bool) {
	t.Helper()
	added, err := s.PutAttestation(a)
	if err != nil {
		t.Fatalf("put attestation %s/%d/%s: %v", a.Node, a.Window, a.Attester, err)
	}
	if added != wantAdded {
		t.Errorf("put attestation %s/%d/%s (%d s): added=%v, want %v", a.Node, a.Window, a.Attester, a.OfflineSeconds, added, wantAdded)
	}
}

// accFixture stores attestations about the fixture peers (neighbours in key
// order) by attesters given out of order, in windows 7, 8 and 256 (which
// differs from 0 in the second-last byte only), and returns them by
// (node, window), sorted by attester.
func accFixture(t *testing.T, s *store.Store) map[store.NodeWindow][]store.AttestationRecord {
	t.Helper()
	attesters := []common.Address{peer(9), peer(3), peer(1 << 16), peer(4)}
	want := map[store.NodeWindow][]store.AttestationRecord{}
	for _, w := range []uint64{256, 7, 8} {
		for ni, node := range fixturePeers {
			// node i gets i+1 attesters, so the counts tell the nodes apart.
			var got []store.AttestationRecord
			for ai := range ni + 1 {
				a := att(node, w, attesters[ai], uint64(100*ni+ai+1))
				putAtt(t, s, a, true)
				got = append(got, a)
			}
			slices.SortFunc(got, func(a, b store.AttestationRecord) int { return bytes.Compare(a.Attester[:], b.Attester[:]) })
			want[store.NodeWindow{Node: node, Window: w}] = got
		}
	}
	return want
}

func TestAttestations(t *testing.T) {
	s := open(t, t.TempDir())
	want := accFixture(t, s)
	for _, tc := range []struct {
		name   string
		node   common.Address
		window uint64
	}{
		{"one attester", peer(1), 7},
		{"two attesters, neighbour of the first", peer(2), 7},
		{"three attesters, sorted", peer(256), 7},
		{"next window", peer(256), 8},
		{"window 256", peer(2), 256},
		{"window without attestations", peer(1), 0},
		{"window after all", peer(1), 257},
		{"node without attestations", peer(3), 7},
		{"largest window", peer(1), math.MaxUint64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Attestations(tc.node, tc.window)
			if err != nil {
				t.Fatal(err)
			}
			w := want[store.NodeWindow{Node: tc.node, Window: tc.window}]
			if !reflect.DeepEqual(got, w) {
				t.Errorf("got %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestAttestationFirstWins(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := open(t, t.TempDir(), store.WithRegisterer(reg))
	first := att(peer(1), 5, peer(2), 600)
	putAtt(t, s, first, true)
	for _, tc := range []struct {
		name  string
		a     store.AttestationRecord
		added bool
	}{
		{"the same again", first, false},
		{"other seconds and signature", att(peer(1), 5, peer(2), 900), false},
		{"received later", func() store.AttestationRecord { a := first; a.Received = a.Received.Add(time.Hour); return a }(), false},
		{"another attester", att(peer(1), 5, peer(3), 700), true},
		{"another window", att(peer(1), 6, peer(2), 800), true},
		{"another node", att(peer(3), 5, peer(2), 500), true},
	} {
		t.Run(tc.name, func(t *testing.T) { putAtt(t, s, tc.a, tc.added) })
	}
	got, err := s.Attestations(peer(1), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got[0], first) {
		t.Errorf("got %+v, want the first one kept and the other attester's", got)
	}
	if w := metricValue(t, reg, "validator_store_writes_total", "kind", "attestation"); w != 4 {
		t.Errorf("writes_total{kind=attestation} = %v, want 4 (only the ones stored)", w)
	}
	if n := metricValue(t, reg, "validator_store_attestations"); n != 4 {
		t.Errorf("validator_store_attestations = %v, want 4", n)
	}

	// Concurrent different versions of the same attestations: exactly one of
	// each is kept, without errors, and the count stays exact.
	const windows = 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	added := map[uint64][]uint64{} // window -> seconds of the versions added
	for i := range 8 {
		wg.Go(func() {
			for w := range uint64(windows) {
				a := att(peer(7), w, peer(8), uint64(10+i))
				ok, err := s.PutAttestation(a)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					added[w] = append(added[w], a.OfflineSeconds)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for w := range uint64(windows) {
		got, err := s.Attestations(peer(7), w)
		if err != nil {
			t.Fatal(err)
		}
		if len(added[w]) != 1 || len(got) != 1 || got[0].OfflineSeconds != added[w][0] {
			t.Errorf("concurrent puts in window %d: added %v, stored %+v; want one, the one added", w, added[w], got)
		}
	}
	if n := metricValue(t, reg, "validator_store_attestations"); n != 4+windows {
		t.Errorf("after concurrent puts, validator_store_attestations = %v, want %d", n, 4+windows)
	}
}

func TestAttestationWindows(t *testing.T) {
	s := open(t, t.TempDir())
	accFixture(t, s)
	counts := func(w uint64) []store.NodeWindow {
		return []store.NodeWindow{{Node: peer(1), Window: w, Count: 1}, {Node: peer(2), Window: w, Count: 2}, {Node: peer(256), Window: w, Count: 3}}
	}
	all := append(append(counts(7), counts(8)...), counts(256)...)
	for _, tc := range []struct {
		from uint64
		want []store.NodeWindow
	}{
		{0, all},
		{7, all},
		{8, all[3:]},
		{9, all[6:]},
		{256, all[6:]},
		{257, nil},
		{math.MaxUint64, nil},
	} {
		t.Run(fmt.Sprint(tc.from), func(t *testing.T) {
			got, err := s.AttestationWindows(tc.from)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestPrune(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := open(t, t.TempDir(), store.WithRegisterer(reg))
	// 1,200 attestations and submissions in window 3, more than one prune chunk.
	for i := range 1200 {
		putAtt(t, s, att(peer(i), 3, peer(1), 60), true)
	}
	for w := uint64(0); w < 6; w++ {
		putAtt(t, s, att(peer(1), w, peer(2), 60), true)
		putAtt(t, s, att(peer(1), w, peer(3), 60), true)
		if err := s.PutSubmission(store.SubmissionRecord{Node: peer(1), Window: w, State: store.SubmissionSent, At: now()}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 1200 {
		if err := s.PutSubmission(store.SubmissionRecord{Node: peer(1000 + i), Window: 3, State: store.SubmissionSending, At: now()}); err != nil {
			t.Fatal(err)
		}
	}
	windows := func() []uint64 {
		t.Helper()
		nws, err := s.AttestationWindows(0)
		if err != nil {
			t.Fatal(err)
		}
		var ws []uint64
		for _, nw := range nws {
			if nw.Node == peer(1) {
				ws = append(ws, nw.Window)
			}
		}
		return ws
	}
	subWindows := func() []uint64 {
		t.Helper()
		subs, err := s.Submissions(0)
		if err != nil {
			t.Fatal(err)
		}
		var ws []uint64
		for _, r := range subs {
			if r.Node == peer(1) {
				ws = append(ws, r.Window)
			}
		}
		return ws
	}
	for _, tc := range []struct {
		before      uint64
		deleted     int
		subsDeleted int
		left        []uint64
		stored      float64
	}{
		{0, 0, 0, []uint64{0, 1, 2, 3, 4, 5}, 1212},
		{2, 4, 2, []uint64{2, 3, 4, 5}, 1208}, // windows 0 and 1; 2 == before is kept
		{2, 0, 0, []uint64{2, 3, 4, 5}, 1208}, // again: nothing
		{4, 1204, 1202, []uint64{4, 5}, 4},    // window 3 spans two chunks
		{math.MaxUint64, 4, 2, nil, 0},        // window MaxUint64 itself would be kept
	} {
		t.Run(fmt.Sprint(tc.before), func(t *testing.T) {
			n, err := s.PruneAttestations(tc.before)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.deleted {
				t.Errorf("pruned %d attestations, want %d", n, tc.deleted)
			}
			if n, err = s.PruneSubmissions(tc.before); err != nil {
				t.Fatal(err)
			}
			if n != tc.subsDeleted {
				t.Errorf("pruned %d submissions, want %d", n, tc.subsDeleted)
			}
			if got := windows(); !reflect.DeepEqual(got, tc.left) {
				t.Errorf("attestation windows left %v, want %v", got, tc.left)
			}
			if got := subWindows(); !reflect.DeepEqual(got, tc.left) {
				t.Errorf("submission windows left %v, want %v", got, tc.left)
			}
			if got := metricValue(t, reg, "validator_store_attestations"); got != tc.stored {
				t.Errorf("validator_store_attestations = %v, want %v", got, tc.stored)
			}
		})
	}
	// The last window survives a prune before it.
	putAtt(t, s, att(peer(1), math.MaxUint64, peer(2), 60), true)
	if n, err := s.PruneAttestations(math.MaxUint64); err != nil || n != 0 {
		t.Errorf("prune before the last window: %d, %v; want 0", n, err)
	}
}

func TestAttestationBound(t *testing.T) {
	reg := prometheus.NewRegistry()
	dir := t.TempDir()
	s := open(t, dir, store.WithRegisterer(reg), store.WithMaxAttestations(3))
	for i := range 3 {
		putAtt(t, s, att(peer(1), 1, peer(10+i), 60), true)
	}
	full := func(s *store.Store, a store.AttestationRecord) {
		t.Helper()
		added, err := s.PutAttestation(a)
		if !errors.Is(err, store.ErrFull) || added {
			t.Fatalf("put beyond the bound: added=%v err=%v, want ErrFull", added, err)
		}
	}
	full(s, att(peer(1), 2, peer(10), 60))
	if got := metricValue(t, reg, "validator_store_write_errors_total", "kind", "attestation"); got != 1 {
		t.Errorf("write_errors_total{kind=attestation} = %v, want 1", got)
	}
	// A duplicate of a stored one is no error when full.
	putAtt(t, s, att(peer(1), 1, peer(10), 90), false)
	// The count is read back on open.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir, store.WithRegisterer(reg), store.WithMaxAttestations(3))
	if got := metricValue(t, reg, "validator_store_attestations"); got != 3 {
		t.Errorf("after reopen, validator_store_attestations = %v, want 3", got)
	}
	full(s, att(peer(1), 2, peer(10), 60))
	// Pruning makes room.
	if n, err := s.PruneAttestations(2); err != nil || n != 3 {
		t.Fatalf("prune: %d, %v", n, err)
	}
	putAtt(t, s, att(peer(1), 2, peer(10), 60), true)
}

func TestInvalidAccountabilityRecords(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := open(t, t.TempDir(), store.WithRegisterer(reg))
	good := att(peer(1), 1, peer(2), 60)
	for _, tc := range []struct {
		name    string
		mod     func(*store.AttestationRecord)
		mention string
	}{
		{"no signature", func(a *store.AttestationRecord) { a.Signature = nil }, "signature is 0 bytes, want 65"},
		{"64-byte signature", func(a *store.AttestationRecord) { a.Signature = a.Signature[:64] }, "signature is 64 bytes"},
		{"66-byte signature", func(a *store.AttestationRecord) { a.Signature = append(a.Signature, 0) }, "signature is 66 bytes"},
		{"zero received", func(a *store.AttestationRecord) { a.Received = time.Time{} }, "received time is zero"},
		{"received in 3000", func(a *store.AttestationRecord) { a.Received = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the storable range"},
	} {
		t.Run("attestation/"+tc.name, func(t *testing.T) {
			a := good
			a.Signature = bytes.Clone(good.Signature)
			tc.mod(&a)
			added, err := s.PutAttestation(a)
			if err == nil || added {
				t.Fatalf("accepted: added=%v", added)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not say %q", err, tc.mention)
			}
		})
	}
	goodSub := store.SubmissionRecord{Node: peer(1), Window: 1, State: store.SubmissionSending, At: now()}
	for _, tc := range []struct {
		name    string
		mod     func(*store.SubmissionRecord)
		mention string
	}{
		{"no state", func(r *store.SubmissionRecord) { r.State = "" }, `unknown state ""`},
		{"capitalised state", func(r *store.SubmissionRecord) { r.State = "Sent" }, `unknown state "Sent"`},
		{"zero time", func(r *store.SubmissionRecord) { r.At = time.Time{} }, "submission time is zero"},
		{"time in 1600", func(r *store.SubmissionRecord) { r.At = time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the storable range"},
	} {
		t.Run("submission/"+tc.name, func(t *testing.T) {
			r := goodSub
			tc.mod(&r)
			err := s.PutSubmission(r)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not say %q", err, tc.mention)
			}
		})
	}
	for kind, want := range map[string]float64{"attestation": 5, "submission": 4} {
		if got := metricValue(t, reg, "validator_store_write_errors_total", "kind", kind); got != want {
			t.Errorf("write_errors_total{kind=%q} = %v, want %v", kind, got, want)
		}
	}
	nws, err1 := s.AttestationWindows(0)
	subs, err2 := s.Submissions(0)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if len(nws)+len(subs) != 0 {
		t.Errorf("refused records were written: %v %v", nws, subs)
	}
}

func TestSubmissions(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := open(t, t.TempDir(), store.WithRegisterer(reg))
	t0 := now()
	put := func(r store.SubmissionRecord) {
		t.Helper()
		if err := s.PutSubmission(r); err != nil {
			t.Fatal(err)
		}
	}
	tx := common.HexToHash("0xabcdef")
	a := store.SubmissionRecord{Node: peer(2), Window: 9, State: store.SubmissionSending, At: t0}
	b := store.SubmissionRecord{Node: peer(1), Window: 9, State: store.SubmissionFailed, At: t0.Add(time.Second), Err: "insufficient funds for gas * price + value"}
	c := store.SubmissionRecord{Node: peer(256), Window: 8, State: store.SubmissionConfirmed, TxHash: tx, At: t0.Add(2 * time.Second)}
	d := store.SubmissionRecord{Node: peer(3), Window: 10, State: store.SubmissionReported, At: t0.Add(4 * time.Second)}
	for _, r := range []store.SubmissionRecord{a, b, c, d} {
		put(r)
	}
	// Overwrite: sending, then sent with the hash.
	a2 := a
	a2.State, a2.TxHash, a2.At = store.SubmissionSent, tx, t0.Add(3*time.Second)
	put(a2)
	for _, tc := range []struct {
		name   string
		node   common.Address
		window uint64
		want   store.SubmissionRecord
		found  bool
	}{
		{"overwritten", peer(2), 9, a2, true},
		{"failed with its error", peer(1), 9, b, true},
		{"confirmed", peer(256), 8, c, true},
		{"reported", peer(3), 10, d, true},
		{"other window", peer(2), 8, store.SubmissionRecord{}, false},
		{"other node", peer(4), 9, store.SubmissionRecord{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found, err := s.Submission(tc.node, tc.window)
			if err != nil {
				t.Fatal(err)
			}
			if found != tc.found || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v (found %v), want %+v (found %v)", got, found, tc.want, tc.found)
			}
		})
	}
	for _, tc := range []struct {
		from uint64
		want []store.SubmissionRecord
	}{
		{0, []store.SubmissionRecord{c, b, a2, d}},
		{8, []store.SubmissionRecord{c, b, a2, d}},
		{9, []store.SubmissionRecord{b, a2, d}},
		{10, []store.SubmissionRecord{d}},
		{11, nil},
	} {
		t.Run(fmt.Sprint("from ", tc.from), func(t *testing.T) {
			got, err := s.Submissions(tc.from)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if got := metricValue(t, reg, "validator_store_writes_total", "kind", "submission"); got != 5 {
		t.Errorf("writes_total{kind=submission} = %v, want 5", got)
	}

	// A long error is cut at a character boundary.
	long := strings.Repeat("é", store.MaxSubmissionErr) // 2 bytes each
	put(store.SubmissionRecord{Node: peer(4), Window: 1, State: store.SubmissionFailed, At: t0, Err: "x" + long})
	got, _, err := s.Submission(peer(4), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := "x" + long[:store.MaxSubmissionErr-2]; got.Err != want {
		t.Errorf("long error kept as %d bytes (%q...), want %d", len(got.Err), got.Err[:8], len(want))
	}
}

// A node records "sending" before it sends a report transaction; after a
// restart the record, and the attestations behind it, are still there.
func TestAccountabilityRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := accFixture(t, s)
	sending := store.SubmissionRecord{Node: peer(2), Window: 8, State: store.SubmissionSending, At: now()}
	if err := s.PutSubmission(sending); err != nil {
		t.Fatal(err)
	}
	windows, err := s.AttestationWindows(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"put attestation": func() error { _, err := s.PutAttestation(att(peer(1), 1, peer(2), 60)); return err }(),
		"attestations":    func() error { _, err := s.Attestations(peer(1), 7); return err }(),
		"windows":         func() error { _, err := s.AttestationWindows(0); return err }(),
		"prune":           func() error { _, err := s.PruneAttestations(100); return err }(),
		"put submission":  s.PutSubmission(sending),
		"submission":      func() error { _, _, err := s.Submission(peer(2), 8); return err }(),
		"submissions":     func() error { _, err := s.Submissions(0); return err }(),
	} {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after close: got %v, want ErrClosed", name, err)
		}
	}

	s = open(t, dir)
	got, found, err := s.Submission(peer(2), 8)
	if err != nil {
		t.Fatal(err)
	}
	if !found || !reflect.DeepEqual(got, sending) {
		t.Errorf("after reopen: submission %+v (found %v), want %+v", got, found, sending)
	}
	gotWindows, err := s.AttestationWindows(0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotWindows, windows) {
		t.Errorf("after reopen: windows %+v, want %+v", gotWindows, windows)
	}
	for nw, as := range want {
		got, err := s.Attestations(nw.Node, nw.Window)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, as) {
			t.Errorf("after reopen: attestations of %s in %d: %+v, want %+v", nw.Node, nw.Window, got, as)
		}
	}
	// And first-wins still holds against what is on disk.
	putAtt(t, s, att(peer(1), 7, peer(9), 5), false)
}

func TestAccountabilityCorruptValue(t *testing.T) {
	node, w := peer(5), uint64(3)
	cases := map[string]struct {
		kind string // the record kind the error and the metric name
		key  []byte
		read func(*store.Store) error
	}{
		"attestation": {"attestation", store.AttestationKey(node, w, peer(6)), func(s *store.Store) error { _, err := s.Attestations(node, w); return err }},
		"windows":     {"attestation", store.AttestationKey(node, w, peer(6))[:30], func(s *store.Store) error { _, err := s.AttestationWindows(0); return err }},
		"submission":  {"submission", store.SubmissionKey(node, w), func(s *store.Store) error { _, _, err := s.Submission(node, w); return err }},
		"submissions": {"submission", store.SubmissionKey(node, w), func(s *store.Store) error { _, err := s.Submissions(0); return err }},
	}
	values := map[string][]byte{
		"empty":          {},
		"unknown format": {0x7f, 1, 2, 3},
		"truncated":      {1, 60},
		"trailing bytes": append(append([]byte{1, 1}, make([]byte, 32+8+1+65)...), 0xff),
		"state 0":        append([]byte{1, 0}, make([]byte, 32+8+1)...),
		"state 6":        append([]byte{1, 6}, make([]byte, 32+8+1)...),
	}
	for name, tc := range cases {
		for vname, val := range values {
			t.Run(name+"/"+vname, func(t *testing.T) {
				dir := t.TempDir()
				s, err := store.Open(dir)
				if err != nil {
					t.Fatal(err)
				}
				// A good record next to the corrupt one.
				putAtt(t, s, att(node, w, peer(4), 60), true)
				if err := s.PutSubmission(store.SubmissionRecord{Node: peer(4), Window: w, State: store.SubmissionSent, At: now()}); err != nil {
					t.Fatal(err)
				}
				s.Close()
				if err := store.RawPut(dir, tc.key, val); err != nil {
					t.Fatal(err)
				}
				reg := prometheus.NewRegistry()
				s = open(t, dir, store.WithRegisterer(reg))
				err = tc.read(s)
				if !errors.Is(err, store.ErrCorrupt) {
					t.Fatalf("got %v, want ErrCorrupt", err)
				}
				if !strings.Contains(err.Error(), tc.kind) || !strings.Contains(err.Error(), fmt.Sprintf("%x", tc.key)) {
					t.Errorf("error %q does not name the %s record %x", err, tc.kind, tc.key)
				}
				if got := metricValue(t, reg, "validator_store_corrupt_records_total", "kind", tc.kind); got != 1 {
					t.Errorf("corrupt_records_total{kind=%q} = %v, want 1", tc.kind, got)
				}
			})
		}
	}
}
