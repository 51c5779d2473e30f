package p2p

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Status is exchanged on every new connection. Peers that disagree on the
// network name, chain ID or registry address are on another network and are
// disconnected (the consensus layer's fork-data idea).
type Status struct {
	Network       string
	ChainID       uint64
	Registry      common.Address
	RegistryBlock uint64
	Version       string
}

const maxStatusSize = 512

// StatusProtocol is the handshake protocol ID of a network.
func StatusProtocol(network string) protocol.ID {
	return protocol.ID("/validator/" + network + "/status/1")
}

func (s *Service) localStatus() Status {
	st := Status{Network: s.cfg.Network, ChainID: s.cfg.ChainID, Registry: s.cfg.Registry, Version: s.cfg.Version}
	if s.cfg.RegistryBlock != nil {
		st.RegistryBlock = s.cfg.RegistryBlock()
	}
	if len(st.Version) > 64 {
		st.Version = st.Version[:64]
	}
	return st
}

// mismatch is the first status field on which a peer disagrees.
type mismatch struct{ field, ours, theirs string }

// attrs are the log fields of a mismatch.
func (m *mismatch) attrs() []any {
	return []any{"field", m.field, "ours", m.ours, "theirs", m.theirs}
}

// compatible says where a remote status belongs to another network, or nil.
func (s *Service) compatible(r Status) *mismatch {
	return compareStatus(Status{Network: s.cfg.Network, ChainID: s.cfg.ChainID, Registry: s.cfg.Registry}, r)
}

// compareStatus is the first of network, chain ID and registry on which
// theirs differs from ours, or nil: peers that agree on the three are on one
// network; the registry block and version are never compared.
func compareStatus(ours, theirs Status) *mismatch {
	switch {
	case theirs.Network != ours.Network:
		return &mismatch{"network", ours.Network, theirs.Network}
	case theirs.ChainID != ours.ChainID:
		return &mismatch{"chain_id", strconv.FormatUint(ours.ChainID, 10), strconv.FormatUint(theirs.ChainID, 10)}
	case theirs.Registry != ours.Registry:
		return &mismatch{"registry", ours.Registry.Hex(), theirs.Registry.Hex()}
	}
	return nil
}

// otherNetwork says, for a peer that does not speak our status protocol, which
// network's it speaks (from identify), if any.
func (s *Service) otherNetwork(p peer.ID) *mismatch {
	protos, err := s.host.Peerstore().GetProtocols(p)
	if err != nil {
		return nil
	}
	for _, id := range protos {
		name, ok := strings.CutPrefix(string(id), "/validator/")
		if !ok {
			continue
		}
		if network, ok := strings.CutSuffix(name, "/status/1"); ok && network != s.cfg.Network {
			return &mismatch{"network", s.cfg.Network, network}
		}
	}
	return nil
}

// DecodeStatus decodes a status as the handshake does: canonical RLP of
// exactly five fields, no trailing bytes, a 20-byte registry, a network of at
// most 32 bytes and a version of at most 64.
func DecodeStatus(b []byte) (Status, error) {
	var st Status
	if err := rlp.DecodeBytes(b, &st); err != nil {
		return Status{}, fmt.Errorf("decode status: %w", err)
	}
	if len(st.Network) > 32 || len(st.Version) > 64 {
		return Status{}, fmt.Errorf("status fields too long")
	}
	return st, nil
}

func (s *Service) statusRR() ReqResp {
	return ReqResp{ID: StatusProtocol(s.cfg.Network), MaxRequest: maxStatusSize, MaxResponse: maxStatusSize, Timeout: s.cfg.HandshakeTimeout}
}

// serveStatus answers a peer's status with ours, and drops it on mismatch.
func (s *Service) serveStatus(_ context.Context, from peer.ID, req []byte) ([]byte, error) {
	remote, err := DecodeStatus(req)
	if err != nil {
		s.dropPeer(from, "bad status: "+err.Error(), "invalid")
		return nil, err
	}
	if m := s.compatible(remote); m != nil {
		// Answer with our status so the dialer sees which field differs, then
		// disconnect, in a goroutine the service owns: Close cancels the wait
		// and waits for it.
		s.goLoop(func() {
			t := time.NewTimer(100 * time.Millisecond)
			defer t.Stop()
			select {
			case <-s.ctx.Done():
			case <-t.C:
				s.dropPeer(from, "other network", "mismatch", m.attrs()...)
			}
		})
		return rlp.EncodeToBytes(s.localStatus())
	}
	s.handshakeDone(from, remote)
	return rlp.EncodeToBytes(s.localStatus())
}

// StatusVerdict is what a listener makes of a status request (docs/protocol.md,
// section 4).
type StatusVerdict struct {
	// Result is the handshake's outcome, as validator_p2p_handshakes_total
	// counts it: ok, mismatch, invalid (the status does not decode), or
	// timeout (no whole frame within the cap arrived: the stream is reset
	// unanswered and the connection closed when the handshake timer fires).
	Result string
	// Field is, for a mismatch, the first field that differs: network,
	// chain_id or registry.
	Field string
	// Ban is how long the peer is then refused; 0 for ok.
	Ban time.Duration
	// Response is what the listener writes back: 0x00 || uvarint(len) || its
	// own status, for ok and mismatch; nil when it resets the stream or closes
	// the connection without answering.
	Response []byte
}

// JudgeStatusRequest is the verdict of a listener whose status is ours on the
// bytes a dialer writes on a status stream before half-closing it: Serve's
// frame reading, then serveStatus's decoding and comparison, without a host.
// The conformance vectors (internal/vectorgen) take their verdicts from it.
func JudgeStatusRequest(ours Status, frame []byte) StatusVerdict {
	body, err := readFrame(bufio.NewReader(bytes.NewReader(frame)), maxStatusSize)
	if err != nil {
		return StatusVerdict{Result: "timeout", Ban: banFor["timeout"]}
	}
	remote, err := DecodeStatus(body)
	if err != nil {
		return StatusVerdict{Result: "invalid", Ban: banFor["invalid"]}
	}
	b, err := rlp.EncodeToBytes(ours)
	if err != nil {
		panic(err) // a Status always encodes
	}
	var resp bytes.Buffer
	resp.WriteByte(0)
	_ = writeFrame(&resp, b)
	if m := compareStatus(ours, remote); m != nil {
		return StatusVerdict{Result: "mismatch", Field: m.field, Ban: banFor["mismatch"], Response: resp.Bytes()}
	}
	return StatusVerdict{Result: "ok", Response: resp.Bytes()}
}

// startHandshake runs the status handshake of a new connection c (whose peer
// table entry is st) in a goroutine Close waits for: as the dialer, it sends
// our status; as the listener, it drops the peer if no status came in time.
func (s *Service) startHandshake(c network.Conn, st *peerState) {
	p := c.RemotePeer()
	s.goLoop(func() {
		if c.Stat().Direction == network.DirOutbound {
			// Never dial for it: a connection that closed before the handshake
			// (a probe's, one the manager trimmed) is not reopened by it.
			s.handshake(network.WithNoDial(s.ctx, "status handshake"), p)
			return
		}
		// The dialer speaks first; an inbound peer that never does is dropped.
		// The timer is this connection's: if the peer has since disconnected
		// and come back, the entry is another one, with a timer of its own.
		select {
		case <-s.ctx.Done():
		case <-time.After(s.cfg.HandshakeTimeout + time.Second):
			s.mu.Lock()
			cur, ok := s.peers[p]
			mine := ok && cur == st
			done := mine && st.handshaked
			s.mu.Unlock()
			if mine && !done && s.host.Network().Connectedness(p) == network.Connected {
				if m := s.otherNetwork(p); m != nil {
					s.dropPeer(p, "other network", "mismatch", m.attrs()...)
				} else {
					s.dropPeer(p, "no handshake", "timeout")
				}
			}
		}
	})
}

// handshake runs the status exchange as the dialer.
func (s *Service) handshake(ctx context.Context, p peer.ID) {
	req, err := rlp.EncodeToBytes(s.localStatus())
	if err != nil {
		return
	}
	resp, err := s.statusRR().Request(ctx, s.host, p, req)
	if err != nil {
		if s.host.Network().Connectedness(p) != network.Connected {
			return // gone already
		}
		if strings.Contains(err.Error(), "protocols not supported") {
			// Our handler is up before we listen, so a peer without our status
			// protocol is on another network, not merely starting.
			if m := s.otherNetwork(p); m != nil {
				s.dropPeer(p, "other network", "mismatch", m.attrs()...)
			} else {
				s.dropPeer(p, "other network", "mismatch", "field", "network", "ours", s.cfg.Network, "theirs", "unknown (no status protocol)")
			}
			return
		}
		var remoteErr *RemoteError
		if errors.As(err, &remoteErr) && strings.HasPrefix(remoteErr.Msg, "other network: ") {
			// An older peer refuses with text rather than its status.
			s.dropPeer(p, "other network", "mismatch", "theirs_reason", strings.TrimPrefix(remoteErr.Msg, "other network: "))
			return
		}
		s.dropPeer(p, "handshake: "+err.Error(), "error")
		return
	}
	remote, err := DecodeStatus(resp)
	if err != nil {
		s.dropPeer(p, err.Error(), "invalid")
		return
	}
	if m := s.compatible(remote); m != nil {
		s.dropPeer(p, "other network", "mismatch", m.attrs()...)
		return
	}
	s.handshakeDone(p, remote)
}

// banFor is how long a peer dropped by the handshake is refused: a peer of
// another network for a minute; one whose handshake merely failed (timeout,
// stream error, a node still starting) only briefly.
var banFor = map[string]time.Duration{"mismatch": time.Minute, "invalid": time.Minute, "error": 5 * time.Second, "timeout": 5 * time.Second}

// dropPeer disconnects a peer for a reason and refuses it for banFor; attrs
// are more log fields (which status field differs, for a mismatch).
func (s *Service) dropPeer(p peer.ID, why, result string, attrs ...any) {
	s.mu.Lock()
	s.banned[p] = time.Now().Add(banFor[result])
	delete(s.peers, p)
	s.mu.Unlock()
	s.m.handshakes.WithLabelValues(result).Inc()
	s.log.Info("dropped peer", append([]any{"peer", p, "reason", why, "result", result}, attrs...)...)
	_ = s.host.Network().ClosePeer(p)
}

func (s *Service) handshakeDone(p peer.ID, st Status) {
	s.mu.Lock()
	ps, ok := s.peers[p]
	if !ok {
		ps = &peerState{since: time.Now()}
		s.peers[p] = ps
	}
	first := !ps.handshaked
	ps.handshaked, ps.status = true, st
	s.mu.Unlock()
	if first {
		s.m.handshakes.WithLabelValues("ok").Inc()
		s.log.Debug("peer handshaked", "peer", p, "version", st.Version)
	}
}
