package sim

import (
	"context"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// RunVirtual runs a simulation in virtual time: inside a synctest bubble,
// where the clock moves only when every goroutine of the simulated network is
// blocked (waiting on a link's delay, a timer, a message). Every figure of
// time (propagation, cold start, heal, cut-off) is then the simulated
// network's, whatever the machine's load: processing takes no simulated time
// (docs/architecture.md, "Simulation", says what that leaves out), and a
// thousand nodes run on two cores at the cost of wall time only. CPU figures
// are real CPU per simulated second, which is what each node would burn per
// second of a real network.
//
// synctest needs a *testing.T: tests pass theirs, cmd/validator-sim makes one
// with testing.Main.
//
// report, if not nil, gets the result inside the bubble as soon as the run
// ends, before the simulated network's last goroutines have wound down (a
// command can report and exit there; a leftover goroutine makes
// synctest.Test panic afterwards, which a test wants to see).
func RunVirtual(t *testing.T, cfg Config, report func(*Result, error)) (res *Result, err error) {
	start := wallNow()
	synctest.Test(t, func(*testing.T) {
		// A context from outside the bubble would keep its goroutines from
		// ever being durably blocked, so the run has its own.
		res, err = Run(context.Background(), cfg)
		if res != nil {
			res.WallSeconds = wallNow().Sub(start).Seconds()
		}
		if report != nil {
			report(res, err)
		}
		// Writes still on their way over links that are gone end when they
		// arrive (wire.go); the bubble must wait for them, and the clock only
		// moves while its main goroutine lives.
		time.Sleep(10 * time.Second)
	})
	return res, err
}

// wallNow is the machine's clock (time.Now is the bubble's inside one).
func wallNow() time.Time {
	var tv syscall.Timeval
	_ = syscall.Gettimeofday(&tv)
	return time.Unix(tv.Sec, tv.Usec*1000)
}
