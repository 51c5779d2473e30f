package api_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/api"
)

func TestClientBaseURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "http://127.0.0.1:7400"},
		{"127.0.0.1:7400", "http://127.0.0.1:7400"},
		{"0.0.0.0:7401", "http://127.0.0.1:7401"}, // a wildcard listen address is dialled on loopback
		{":7402", "http://127.0.0.1:7402"},
		{"[::]:7403", "http://127.0.0.1:7403"},
		{"[::1]:7404", "http://[::1]:7404"},
		{"http://localhost:7405/", "http://localhost:7405"},
		{" http://10.1.2.3:80 ", "http://10.1.2.3:80"},
	}
	for _, tc := range tests {
		c := api.NewClient(tc.in)
		if got := c.BaseURL(); got != tc.want {
			t.Errorf("NewClient(%q).BaseURL() = %q, want %q", tc.in, got, tc.want)
		}
		c.Close()
	}
	c := api.NewClient("ftp://127.0.0.1:21")
	defer c.Close()
	if _, err := c.Status(context.Background()); err == nil || !strings.Contains(err.Error(), `scheme "ftp"`) {
		t.Errorf("ftp base: %v", err)
	}
}

// With no node listening, every call says what to check.
func TestClientUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	c := api.NewClient(addr)
	defer c.Close()
	ctx := context.Background()
	calls := map[string]func() error{
		"status":   func() error { _, err := c.Status(ctx); return err },
		"peers":    func() error { _, err := c.Peers(ctx); return err },
		"ready":    func() error { _, err := c.Ready(ctx); return err },
		"evidence": func() error { _, err := c.Evidence(ctx, common.Address{1}, time.Time{}, time.Time{}); return err },
		"publish":  func() error { return c.Publish(ctx, "jobs", []byte("x")) },
		"subscribe": func() error {
			_, err := c.Subscribe(ctx, "jobs")
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, api.ErrUnreachable) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: %v, want ErrUnreachable wrapping ECONNREFUSED", name, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "http://"+addr) || !strings.Contains(msg, "is the node running? check api.listen") {
			t.Errorf("%s: message %q", name, msg)
		}
	}

	// A cancelled call says so, not that the node is down.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Status(cctx); !errors.Is(err, context.Canceled) || errors.Is(err, api.ErrUnreachable) {
		t.Errorf("cancelled call: %v", err)
	}
}

func TestClientErrorsCarryServerMessage(t *testing.T) {
	e := start(t, api.Config{})
	_, err := e.c.Evidence(context.Background(), common.Address{}, time.Now(), time.Now().Add(-time.Hour))
	se, ok := errors.AsType[*api.StatusError](err)
	if !ok || se.Code != 400 || !strings.Contains(se.Message, "is before from") {
		t.Fatalf("evidence with to before from: %v", err)
	}
	if !strings.Contains(err.Error(), "HTTP 400 Bad Request") {
		t.Errorf("error text %q", err.Error())
	}
}
