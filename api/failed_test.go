package api_test

import (
	"testing"
	"time"

	"validator/api"
)

// A listener that dies under the server is reported on Failed, for the
// server's owner (the node) to stop on, instead of only being logged.
func TestListenerDeathIsReported(t *testing.T) {
	e := start(t, api.Config{})
	select {
	case err := <-e.srv.Failed():
		t.Fatalf("failed before the listener died: %v", err)
	default:
	}
	if err := api.CloseListener(e.srv); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-e.srv.Failed():
		if err == nil {
			t.Fatal("nil error")
		}
		t.Logf("reported: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("a dead listener was not reported within 10s")
	}
}
