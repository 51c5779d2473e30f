package reputation_test

import (
	"math/rand"
	"sync"
	"testing"
	"time"

	"validator/reputation"
)

// TestConcurrentObserve observes from several goroutines while another flushes
// and reads states; run under -race. Every probe and rejection must land in
// exactly one summary.
func TestConcurrentObserve(t *testing.T) {
	const (
		workers = 8
		each    = 3000
		peers   = 16
	)
	cfg := reputation.DefaultConfig()
	cfg.Interval = time.Second
	tr := newTracker(t, cfg)
	start := t0

	var (
		wg      sync.WaitGroup
		flushMu sync.Mutex
		got     []reputation.Summary
		sent    [workers]uint32
		rejects [workers]uint32
	)
	stop := make(chan struct{})
	flushed := make(chan struct{})
	go func() { // flusher and reader
		defer close(flushed)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			out := tr.Flush(start.Add(time.Duration(i) * 100 * time.Millisecond))
			flushMu.Lock()
			got = append(got, out...)
			flushMu.Unlock()
			_ = tr.States()
			tr.State(testAddr(i % peers))
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(w)))
			for i := range each {
				p := testAddr(r.Intn(peers))
				at := start.Add(time.Duration(i) * time.Millisecond)
				switch r.Intn(10) {
				case 0:
					tr.Rejected(p, at)
					rejects[w]++
				case 1, 2:
					tr.Observe(miss(p, at))
					sent[w]++
				default:
					tr.Observe(answer(p, at, randDuration(r, time.Second)))
					sent[w]++
				}
				if i%500 == 0 && w == 0 {
					tr.Forget(testAddr(peers + 1)) // unknown peer: harmless
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-flushed
	got = append(got, tr.Flush(start.Add(24*time.Hour))...)

	var wantSent, wantRej, gotSent, gotRej uint32
	for w := range workers {
		wantSent += sent[w]
		wantRej += rejects[w]
	}
	for _, s := range got {
		gotSent += s.PingsSent
		gotRej += s.Rejected
	}
	if gotSent != wantSent || gotRej != wantRej {
		t.Errorf("summaries count %d probes, %d rejections; observed %d, %d", gotSent, gotRej, wantSent, wantRej)
	}
	if n := len(tr.States()); n != peers {
		t.Errorf("%d peers known, want %d", n, peers)
	}
}
