package p2p

import (
	"context"
	"fmt"
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

// compatible says why a remote status belongs to another network, or "".
func (s *Service) compatible(r Status) string {
	switch {
	case r.Network != s.cfg.Network:
		return fmt.Sprintf("network %q, want %q", r.Network, s.cfg.Network)
	case r.ChainID != s.cfg.ChainID:
		return fmt.Sprintf("chain ID %d, want %d", r.ChainID, s.cfg.ChainID)
	case r.Registry != s.cfg.Registry:
		return fmt.Sprintf("registry %s, want %s", r.Registry, s.cfg.Registry)
	}
	return ""
}

func decodeStatus(b []byte) (Status, error) {
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
	remote, err := decodeStatus(req)
	if err != nil {
		s.dropPeer(from, "bad status: "+err.Error(), "invalid")
		return nil, err
	}
	if why := s.compatible(remote); why != "" {
		// Answer first so the dialer learns why, then disconnect.
		go func() {
			time.Sleep(100 * time.Millisecond)
			s.dropPeer(from, why, "mismatch")
		}()
		return nil, fmt.Errorf("other network: %s", why)
	}
	s.handshakeDone(from, remote)
	return rlp.EncodeToBytes(s.localStatus())
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
		result := "error"
		if strings.Contains(err.Error(), "protocols not supported") {
			// Our handler is up before we listen, so a peer without our status
			// protocol is on another network, not merely starting.
			result = "mismatch"
		}
		s.dropPeer(p, "handshake: "+err.Error(), result)
		return
	}
	remote, err := decodeStatus(resp)
	if err != nil {
		s.dropPeer(p, err.Error(), "invalid")
		return
	}
	if why := s.compatible(remote); why != "" {
		s.dropPeer(p, why, "mismatch")
		return
	}
	s.handshakeDone(p, remote)
}
