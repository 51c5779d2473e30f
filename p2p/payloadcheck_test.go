package p2p_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/p2p"
)

// TestPayloadChecks: a topic's PayloadCheck runs on every message whose
// envelope is valid, with the sender's node ID; its error rejects the message
// (bad_payload), one wrapping ErrIgnorePayload ignores it (ignored_payload),
// and neither is delivered nor forwarded. Publish refuses a payload this
// node's own check refuses.
func TestPayloadChecks(t *testing.T) {
	n := newLNet(t)
	var (
		mu      sync.Mutex
		senders []common.Address
	)
	check := func(sender common.Address, payload []byte) error {
		mu.Lock()
		senders = append(senders, sender)
		mu.Unlock()
		switch string(payload) {
		case "bad":
			return errors.New("not an attestation")
		case "late":
			return fmt.Errorf("window over: %w", p2p.ErrIgnorePayload)
		}
		return nil
	}
	checked := func(c *p2p.Config) { c.PayloadChecks = map[string]p2p.PayloadCheck{p2p.TopicAttestations: check} }
	// Node 0 has no check, so it can publish what the others refuse.
	sender := n.addNode(nil)
	a, b := n.addNode(checked), n.addNode(checked)
	for _, tn := range []*testNode{sender, a, b} {
		n.register(tn)
	}
	for _, tn := range []*testNode{sender, a, b} {
		n.start(tn, 3)
	}
	waitFor(t, "peers", func() bool { return sender.svc.PeerCount() == 2 && a.svc.PeerCount() == 2 && b.svc.PeerCount() == 2 })
	sub, err := b.svc.Subscribe(p2p.TopicAttestations)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	time.Sleep(2 * time.Second) // let the mesh form on the topic
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range []string{"bad", "late", "good"} {
		if err := sender.svc.Publish(ctx, p2p.TopicAttestations, []byte(p)); err != nil {
			t.Fatalf("publish %s: %v", p, err)
		}
	}
	m, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Payload) != "good" || m.Sender.ID != sender.id.NodeID {
		t.Fatalf("first delivery = %q from %s, want good from %s", m.Payload, m.Sender.ID, sender.id.NodeID)
	}
	for _, tn := range []*testNode{a, b} {
		waitFor(t, "verdicts counted", func() bool {
			return counter2(t, tn, p2p.TopicAttestations, p2p.ReasonBadPayload) == 1 &&
				counter2(t, tn, p2p.TopicAttestations, p2p.ReasonIgnoredPayload) == 1 &&
				counter2(t, tn, p2p.TopicAttestations, p2p.ReasonOK) == 1
		})
	}
	mu.Lock()
	for _, s := range senders {
		if s != sender.id.NodeID {
			t.Errorf("check called with sender %s, want %s", s, sender.id.NodeID)
		}
	}
	mu.Unlock()
	err = a.svc.Publish(ctx, p2p.TopicAttestations, []byte("bad"))
	if !errors.Is(err, p2p.ErrBadPayload) {
		t.Errorf("own publish of a refused payload = %v, want ErrBadPayload", err)
	}
}
