package p2p

import (
	"sync/atomic"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
)

// fakeConn is an unauthenticated TCP connection as the gate sees it.
type fakeConn struct {
	remote ma.Multiaddr
	closed atomic.Bool
}

func (c *fakeConn) LocalMultiaddr() ma.Multiaddr  { return ma.StringCast("/ip4/127.0.0.1/tcp/4001") }
func (c *fakeConn) RemoteMultiaddr() ma.Multiaddr { return c.remote }
func (c *fakeConn) Close() error                  { c.closed.Store(true); return nil }

// TestPendingCloseStopsDeadlines: once the service has closed the gate's
// pending set, no deadline timer of an unauthenticated connection fires
// afterwards, and no connection is admitted any more.
func TestPendingCloseStopsDeadlines(t *testing.T) {
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "refused"}, []string{"reason"})
	deadline := 50 * time.Millisecond
	p := newPendingConns(8, 64, deadline, refused, prometheus.NewGauge(prometheus.GaugeOpts{Name: "pending"}))

	late := &fakeConn{remote: ma.StringCast("/ip4/10.0.0.1/tcp/5000")}
	if !p.accept(late) {
		t.Fatal("first connection refused")
	}
	time.Sleep(2 * deadline)
	if !late.closed.Load() {
		t.Fatal("a connection past its deadline was not closed")
	}

	c := &fakeConn{remote: ma.StringCast("/ip4/10.0.0.1/tcp/5001")}
	if !p.accept(c) {
		t.Fatal("connection refused")
	}
	p.close()
	time.Sleep(2 * deadline)
	if c.closed.Load() {
		t.Fatal("a deadline timer fired after close")
	}
	if p.accept(&fakeConn{remote: ma.StringCast("/ip4/10.0.0.2/tcp/5000")}) {
		t.Fatal("a connection was admitted after close")
	}
}
