package store_test

import (
	"testing"
	"time"

	"validator/store"
)

// NoteAddr writes an address-book entry when it changed, or when the stored
// one is AddrRewriteEvery old; a heartbeat that only advances Seen within that
// time is not written. ForgetAddr makes the next heartbeat a write.
func TestNoteAddrCoalescesHeartbeats(t *testing.T) {
	s := open(t, t.TempDir())
	t0 := now()
	a := store.AddrRecord{Peer: peer(1), PeerID: "p1", Addrs: []string{"/ip4/127.0.0.1/tcp/1"}, Version: "v1", Seen: t0}
	steps := []struct {
		name     string
		change   func(r *store.AddrRecord)
		forget   bool
		wantSeen time.Duration // Seen of the stored entry, after t0
	}{
		{"first heartbeat", func(*store.AddrRecord) {}, false, 0},
		{"same, 10s later", func(r *store.AddrRecord) { r.Seen = t0.Add(10 * time.Second) }, false, 0},
		{"same, just under a minute", func(r *store.AddrRecord) { r.Seen = t0.Add(store.AddrRewriteEvery - time.Millisecond) }, false, 0},
		{"same, a minute later", func(r *store.AddrRecord) { r.Seen = t0.Add(store.AddrRewriteEvery) }, false, store.AddrRewriteEvery},
		{"new address", func(r *store.AddrRecord) {
			r.Seen, r.Addrs = t0.Add(store.AddrRewriteEvery+time.Second), []string{"/ip4/127.0.0.1/tcp/2"}
		}, false, store.AddrRewriteEvery + time.Second},
		{"new version", func(r *store.AddrRecord) { r.Seen, r.Version = t0.Add(store.AddrRewriteEvery+2*time.Second), "v2" }, false, store.AddrRewriteEvery + 2*time.Second},
		{"same again", func(r *store.AddrRecord) { r.Seen = t0.Add(store.AddrRewriteEvery + 3*time.Second) }, false, store.AddrRewriteEvery + 2*time.Second},
		{"same after ForgetAddr", func(r *store.AddrRecord) { r.Seen = t0.Add(store.AddrRewriteEvery + 4*time.Second) }, true, store.AddrRewriteEvery + 4*time.Second},
	}
	for _, st := range steps {
		st.change(&a)
		if st.forget {
			s.ForgetAddr(a.Peer)
		}
		s.NoteAddr(a)
		got, err := s.Addrs()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("%s: %d entries, want 1", st.name, len(got))
		}
		if want := t0.Add(st.wantSeen); !got[0].Seen.Equal(want) {
			t.Errorf("%s: stored Seen is t0+%s, want t0+%s", st.name, got[0].Seen.Sub(t0), st.wantSeen)
		}
		if got[0].Version != a.Version && st.wantSeen == a.Seen.Sub(t0) {
			t.Errorf("%s: stored version %q, want %q", st.name, got[0].Version, a.Version)
		}
	}
}
