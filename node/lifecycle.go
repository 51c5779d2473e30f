package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// component is one part of the node in its lifecycle, in the spirit of
// charon's app/lifecycle: components start in order and stop in reverse, and
// the first one whose loop ends on its own is the node's failure.
type component struct {
	name string
	// start, if set, brings the component up. Components start one at a time,
	// in order; ctx ends when Start's ctx ends or a running component fails.
	start func(ctx context.Context) error
	// run, if set, is the component's loop. It is started once start has
	// returned and must run until ctx ends: returning earlier, with an error
	// or without, is a failure that stops the node.
	run func(ctx context.Context) error
	// stop, if set, releases the component once its loop has ended. It is
	// called when start failed too, to release what start left behind.
	stop func(ctx context.Context) error
}

// entry is a started component.
type entry struct {
	component
	cancel  context.CancelFunc // ends run's ctx
	runDone chan struct{}      // closed when run returned (nil: no run)
	runErr  error              // what run returned once stopped; read after runDone
	stopped chan struct{}      // closed when stop returned (nil: not called yet)
	stopErr error              // read after stopped
}

// lifecycle starts components in order, watches their loops, and stops them
// in reverse. A component is stopped only once every component started after
// it has stopped, so the store is never closed under a writer: when one does
// not stop in time, stop returns an error naming it and leaves the components
// below it running; a later stop resumes from it.
type lifecycle struct {
	mu       sync.Mutex
	started  []*entry // in start order; stop pops from the end
	failure  error    // the first failure
	failed   chan struct{}
	startEnd context.CancelFunc // ends the running start phase's ctx

	stopMu sync.Mutex // one stop at a time
}

func newLifecycle() *lifecycle { return &lifecycle{failed: make(chan struct{})} }

// Failed is closed when a component fails; Err then says which and why.
func (l *lifecycle) Failed() <-chan struct{} { return l.failed }

// Err is the first failure, or nil.
func (l *lifecycle) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failure
}

func (l *lifecycle) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failure != nil {
		return
	}
	l.failure = err
	close(l.failed)
	if l.startEnd != nil {
		l.startEnd()
	}
}

// start starts comps in order. On an error it returns it (or the failure of
// a component already running, which is the cause) and leaves what started
// for stop.
func (l *lifecycle) start(ctx context.Context, comps []component) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.mu.Lock()
	if l.failure != nil {
		l.mu.Unlock()
		return l.failure
	}
	l.startEnd = cancel
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.startEnd = nil
		l.mu.Unlock()
	}()
	for _, c := range comps {
		runCtx, cancel := context.WithCancel(context.Background())
		e := &entry{component: c, cancel: cancel}
		var err error
		if c.start != nil {
			err = c.start(ctx)
		}
		l.mu.Lock()
		l.started = append(l.started, e) // on an error too: stop releases what start left
		l.mu.Unlock()
		if f := l.Err(); f != nil {
			return f // the cause; err, if any, is its consequence
		}
		if err != nil {
			return err
		}
		if c.run != nil {
			e.runDone = make(chan struct{})
			go l.watch(runCtx, e)
		}
	}
	return l.Err()
}

// watch runs e's loop; a loop that ends before stop asked it to is a failure.
func (l *lifecycle) watch(ctx context.Context, e *entry) {
	defer close(e.runDone)
	err := e.run(ctx)
	if ctx.Err() != nil {
		e.runErr = err
		return
	}
	if err == nil {
		err = errors.New("stopped unexpectedly")
	}
	l.fail(fmt.Errorf("%s: %w", e.name, err))
}

// stop stops the started components in reverse order, each within ctx. It
// returns the errors of stopping them; a component that does not stop within
// ctx ends it, with an error that names the component.
func (l *lifecycle) stop(ctx context.Context) error {
	l.stopMu.Lock()
	defer l.stopMu.Unlock()
	begin := time.Now()
	var errs []error
	for {
		l.mu.Lock()
		if len(l.started) == 0 {
			l.mu.Unlock()
			return errors.Join(errs...)
		}
		e := l.started[len(l.started)-1]
		l.mu.Unlock()
		e.cancel()
		if e.runDone != nil {
			select {
			case <-e.runDone:
			case <-ctx.Done():
				return errors.Join(append(errs, notStopped(e.name, begin))...)
			}
		}
		if e.stopped == nil {
			e.stopped = make(chan struct{})
			go func() {
				defer close(e.stopped)
				if e.component.stop != nil {
					e.stopErr = e.component.stop(ctx)
				}
			}()
		}
		select {
		case <-e.stopped:
		case <-ctx.Done():
			return errors.Join(append(errs, notStopped(e.name, begin))...)
		}
		if e.runErr != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.name, e.runErr))
		}
		errs = append(errs, e.stopErr)
		l.mu.Lock()
		l.started = l.started[:len(l.started)-1]
		l.mu.Unlock()
	}
}

func notStopped(name string, begin time.Time) error {
	d := time.Since(begin)
	if d >= time.Second {
		d = d.Round(time.Second)
	} else {
		d = d.Round(time.Millisecond)
	}
	return fmt.Errorf("shutdown: %s did not stop within %s; the components started before it, the store among them, are left running", name, d)
}
