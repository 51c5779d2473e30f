package sim

import (
	"context"
	"encoding/binary"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"google.golang.org/protobuf/encoding/protowire"
)

// Traffic counts what gossipsub receives over the whole network: every RPC
// frame read from a gossipsub stream is split into message copies (RPC field
// 2, publish) and everything else (subscriptions and control: IHAVE, IWANT,
// GRAFT, PRUNE, IDONTWANT, and the framing). The same counter wraps the
// validator nodes and the plain-gossipsub baseline, so both pay the same
// measuring cost.
type Traffic struct {
	// Copies of messages of the measured topic, and their bytes.
	Copies, CopyBytes atomic.Int64
	// OtherCopies are message copies of other topics (heartbeats).
	OtherCopies, OtherBytes atomic.Int64
	// ControlBytes are the bytes of everything that is not a message copy.
	ControlBytes atomic.Int64
}

// TrafficSnapshot is a copy of the counters at one moment.
type TrafficSnapshot struct{ Copies, CopyBytes, OtherCopies, OtherBytes, ControlBytes int64 }

// Snapshot reads the counters.
func (t *Traffic) Snapshot() TrafficSnapshot {
	return TrafficSnapshot{t.Copies.Load(), t.CopyBytes.Load(), t.OtherCopies.Load(), t.OtherBytes.Load(), t.ControlBytes.Load()}
}

// Sub is the traffic between two snapshots.
func (a TrafficSnapshot) Sub(b TrafficSnapshot) TrafficSnapshot {
	return TrafficSnapshot{a.Copies - b.Copies, a.CopyBytes - b.CopyBytes, a.OtherCopies - b.OtherCopies, a.OtherBytes - b.OtherBytes, a.ControlBytes - b.ControlBytes}
}

// countingHost wraps the streams of gossipsub's handlers so that every byte
// received is counted.
type countingHost struct {
	host.Host
	live  *liveStreams
	t     *Traffic
	topic string
	// link is the one-way delay and bandwidth (bytes/s, 0: unlimited) of the
	// link to a peer; every stream's writes go through it (wire.go), and a
	// dial waits one round trip of it.
	link  func(peer.ID) (time.Duration, float64)
	wires sync.Map // peer.ID -> *wire: this host's direction of each link
}

func isGossip(pid protocol.ID) bool {
	return strings.HasPrefix(string(pid), "/meshsub/") || strings.HasPrefix(string(pid), "/floodsub/")
}

// Connect waits out the connection set-up a real dial costs before mocknet
// connects at once: one round trip (a QUIC handshake; TCP with Noise takes
// two). Every dial of the service, its DHT and its prober goes through here.
func (h *countingHost) Connect(ctx context.Context, ai peer.AddrInfo) error {
	if h.Host.Network().Connectedness(ai.ID) != network.Connected {
		d, _ := h.link(ai.ID)
		t := time.NewTimer(2 * d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	return h.Host.Connect(ctx, ai)
}

// delayed puts a stream's writes on the link to its peer.
func (h *countingHost) delayed(s network.Stream) network.Stream {
	p := s.Conn().RemotePeer()
	w, _ := h.wires.LoadOrStore(p, &wire{})
	return newDelayedStream(s, h.live, w.(*wire),
		func() time.Duration { d, _ := h.link(p); return d },
		func() float64 { _, b := h.link(p); return b })
}

// NewStream honours network.WithNoDial, which mocknet ignores (its
// NewStream always connects; a real swarm returns ErrNoConn).
func (h *countingHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	if noDial, _ := network.GetNoDial(ctx); noDial && h.Host.Network().Connectedness(p) != network.Connected {
		return nil, network.ErrNoConn
	}
	s, err := h.Host.NewStream(ctx, p, pids...)
	if err != nil {
		return nil, err
	}
	// mocknet opens streams on a connection that has closed meanwhile (a
	// real swarm refuses), and one added after the connection's teardown is
	// never reset by it.
	if s.Conn().IsClosed() {
		_ = s.Reset()
		return nil, network.ErrReset
	}
	return h.delayed(s), nil
}

// SetStreamHandler delays the handler's writes too, and counts what
// gossipsub's handlers read.
func (h *countingHost) SetStreamHandler(pid protocol.ID, handler network.StreamHandler) {
	gossip := isGossip(pid)
	h.Host.SetStreamHandler(pid, func(s network.Stream) {
		s = h.delayed(s)
		if gossip {
			s = &countedStream{Stream: s, t: h.t, topic: h.topic}
		}
		handler(s)
	})
}

type countedStream struct {
	network.Stream
	t     *Traffic
	topic string
	buf   []byte
}

func (s *countedStream) Read(p []byte) (int, error) {
	n, err := s.Stream.Read(p)
	if n > 0 {
		s.feed(p[:n])
	}
	return n, err
}

// feed splits the bytes read into varint-delimited RPC frames and counts each.
func (s *countedStream) feed(b []byte) {
	s.buf = append(s.buf, b...)
	for {
		l, k := binary.Uvarint(s.buf)
		if k <= 0 || uint64(len(s.buf)-k) < l {
			break
		}
		s.count(s.buf[k:k+int(l)], k)
		s.buf = s.buf[k+int(l):]
	}
	if len(s.buf) == 0 {
		s.buf = nil
	}
}

func (s *countedStream) count(frame []byte, prefix int) {
	control := int64(prefix)
	for len(frame) > 0 {
		num, typ, n := protowire.ConsumeTag(frame)
		if n < 0 {
			control += int64(len(frame))
			break
		}
		m := protowire.ConsumeFieldValue(num, typ, frame[n:])
		if m < 0 {
			control += int64(len(frame))
			break
		}
		field := frame[:n+m]
		if num == 2 && typ == protowire.BytesType {
			msg, _ := protowire.ConsumeBytes(frame[n:])
			if messageTopic(msg) == s.topic {
				s.t.Copies.Add(1)
				s.t.CopyBytes.Add(int64(len(field)))
			} else {
				s.t.OtherCopies.Add(1)
				s.t.OtherBytes.Add(int64(len(field)))
			}
		} else {
			control += int64(len(field))
		}
		frame = frame[n+m:]
	}
	s.t.ControlBytes.Add(control)
}

// messageTopic reads field 4 (topic) of a pubsub Message.
func messageTopic(msg []byte) string {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return ""
		}
		if num == 4 && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(msg[n:])
			return string(v)
		}
		m := protowire.ConsumeFieldValue(num, typ, msg[n:])
		if m < 0 {
			return ""
		}
		msg = msg[n+m:]
	}
	return ""
}
