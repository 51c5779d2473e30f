package p2p_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"validator/p2p"
)

// logLines collects JSON log lines.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

// find returns the first line with msg whose fields include want.
func (l *logLines) find(msg string, want map[string]string) map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(l.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["msg"] != msg {
			continue
		}
		ok := true
		for k, v := range want {
			if s, _ := m[k].(string); s != v {
				ok = false
			}
		}
		if ok {
			return m
		}
	}
	return nil
}

// TestMismatchLoggedByField: both sides of a handshake between networks that
// differ log one line naming the field, our value and theirs, not libp2p's
// error text.
func TestMismatchLoggedByField(t *testing.T) {
	members := p2p.NewStaticMembership()
	var logA, logB logLines
	a := newStaticNode(t, members, "mismatch-a", true, func(c *p2p.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logA, nil))
	})
	b := newStaticNode(t, members, "mismatch-b", true, func(c *p2p.Config) {
		c.ChainID = 5
		c.Logger = slog.New(slog.NewJSONHandler(&logB, nil))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.svc.Host().Connect(ctx, peer.AddrInfo{ID: b.svc.ID().PeerID, Addrs: b.svc.Host().Addrs()}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		log        *logLines
		ours, them string
	}{"dialer": {&logA, "1337", "5"}, "responder": {&logB, "5", "1337"}} {
		waitFor(t, name+" to log the mismatch", func() bool {
			return c.log.find("dropped peer", map[string]string{"field": "chain_id", "ours": c.ours, "theirs": c.them, "result": "mismatch"}) != nil
		})
	}
}
