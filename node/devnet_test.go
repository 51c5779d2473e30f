package node_test

import (
	"context"
	"testing"
	"time"

	"validator/node"
	"validator/p2p"
)

func TestDevnetValidatorsFindEachOtherAndGossip(t *testing.T) {
	ctx := context.Background()
	d, err := node.StartDevnet(ctx, node.DevnetOptions{Validators: 3, RPCAddr: "127.0.0.1:0", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(context.Background())
	waitFor(t, "every validator to see the other two", func() bool {
		for _, n := range d.Nodes {
			if n.Service().PeerCount() < 2 {
				return false
			}
		}
		return true
	})
	sub, err := d.Nodes[2].Service().Subscribe(p2p.TopicJobs)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	time.Sleep(time.Second) // mesh
	if err := d.Nodes[0].Service().Publish(ctx, p2p.TopicJobs, []byte("hello devnet")); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	m, err := sub.Next(rctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Payload) != "hello devnet" || m.Sender.ID != d.Nodes[0].Service().ID().NodeID {
		t.Fatalf("got %q from %s", m.Payload, m.Sender.ID)
	}
}
