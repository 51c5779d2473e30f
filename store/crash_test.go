package store_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"validator/store"
)

// The crash test runs this test binary again as a child that writes evidence
// until it is killed.
const (
	crashChildEnv = "STORE_CRASH_CHILD" // the data dir
	crashBaseEnv  = "STORE_CRASH_BASE"  // the first sequence number
)

var (
	crashPeer  = peer(42)
	crashEpoch = time.Unix(1_700_000_000, 0)
)

// crashRecordTime is the identity of record seq: a summary's start or a
// transition's time.
func crashRecordTime(seq uint64) time.Time { return crashEpoch.Add(time.Duration(seq) * time.Second) }

// runCrashChild writes records in a loop, cycling through a single summary, a
// batch of 64 summaries and a transition. It prints "s <seq>" or "t <seq>"
// for each record only after the call that wrote it returned nil.
func runCrashChild() {
	base, err := strconv.ParseUint(os.Getenv(crashBaseEnv), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad base:", err)
		os.Exit(2)
	}
	s, err := store.Open(os.Getenv(crashChildEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	sum := func(seq uint64) store.Summary {
		return store.Summary{Peer: crashPeer, Start: crashRecordTime(seq), End: crashRecordTime(seq).Add(time.Second), PingsSent: uint32(seq)}
	}
	var ack []byte
	for seq, round := base, 0; ; round++ {
		ack = ack[:0]
		switch round % 3 {
		case 0:
			err = s.AddSummary(sum(seq))
			ack = fmt.Appendf(ack, "s %d\n", seq)
			seq++
		case 1:
			batch := make([]store.Summary, 64)
			for i := range batch {
				batch[i] = sum(seq)
				ack = fmt.Appendf(ack, "s %d\n", seq)
				seq++
			}
			err = s.AddSummaries(batch)
		case 2:
			err = s.AddTransition(store.Transition{Peer: crashPeer, At: crashRecordTime(seq), From: store.Responsive, To: store.Offline, Reason: strconv.FormatUint(seq, 10)})
			ack = fmt.Appendf(ack, "t %d\n", seq)
			seq++
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "write:", err)
			os.Exit(3)
		}
		if _, err := os.Stdout.Write(ack); err != nil {
			os.Exit(4)
		}
	}
}

// TestCrashSafety kills a writing child with SIGKILL at random moments, five
// times over the same directory, and checks after each kill that the store
// reopens and holds every record the child acknowledged.
func TestCrashSafety(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	acked := map[string]bool{} // "s 12", "t 13"; across rounds
	const rounds = 5
	for round := range rounds {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, fmt.Sprintf("%s=%d", crashBaseEnv, round*100_000_000))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var (
			mu       sync.Mutex
			lines    []string
			firstAck = make(chan struct{})
			done     = make(chan struct{})
		)
		go func() {
			defer close(done)
			r := bufio.NewReader(out)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return // a line cut by the kill has no newline and is not an ack
				}
				mu.Lock()
				lines = append(lines, strings.TrimSuffix(line, "\n"))
				if len(lines) == 1 {
					close(firstAck)
				}
				mu.Unlock()
			}
		}()
		// Kill at a random moment: mostly while writing, sometimes while the
		// child is still opening (replaying the previous round's log).
		if round%4 != 3 {
			select {
			case <-firstAck:
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("child acknowledged nothing in 30s")
			}
		}
		time.Sleep(time.Duration(rand.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-done
		_, _ = io.Copy(io.Discard, out)
		err = cmd.Wait()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
			t.Fatalf("round %d: child ended by itself before the kill (%v): %s", round, err, stderr.String())
		}
		mu.Lock()
		for _, l := range lines {
			acked[l] = true
		}
		n := len(lines)
		mu.Unlock()

		s, err := store.Open(dir)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		got := map[string]bool{}
		sms, err := s.Summaries(crashPeer, time.Time{}, time.Unix(1<<40, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, sm := range sms {
			seq := uint64(sm.Start.Sub(crashEpoch) / time.Second)
			if uint64(sm.PingsSent) != seq&0xffffffff {
				t.Errorf("summary %d holds PingsSent %d", seq, sm.PingsSent)
			}
			got[fmt.Sprintf("s %d", seq)] = true
		}
		trs, err := s.Transitions(crashPeer, time.Time{}, time.Unix(1<<40, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range trs {
			seq := uint64(tr.At.Sub(crashEpoch) / time.Second)
			if tr.Reason != strconv.FormatUint(seq, 10) {
				t.Errorf("transition %d holds reason %q", seq, tr.Reason)
			}
			got[fmt.Sprintf("t %d", seq)] = true
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		var lost []string
		for a := range acked {
			if !got[a] {
				lost = append(lost, a)
			}
		}
		if len(lost) > 0 {
			t.Fatalf("round %d: %d of %d acknowledged records lost, e.g. %v", round, len(lost), len(acked), lost[:min(5, len(lost))])
		}
		t.Logf("round %d: %d records acknowledged before the kill, %d in total, %d found", round, n, len(acked), len(got))
	}
	if len(acked) == 0 {
		t.Fatal("no round acknowledged anything: the test checked nothing")
	}
}
