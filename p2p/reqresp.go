package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Request/response framing, shared by the status handshake and later direct
// queries. One request per stream:
//
//	request:  uvarint(len) || body
//	response: status byte (0 ok, 1 error) || uvarint(len) || body (error text if status 1)
//
// Every read is bounded by the protocol's size cap and every stream by a deadline.

// ErrTooLarge: a frame is longer than the protocol allows.
var ErrTooLarge = errors.New("frame exceeds the size cap")

// RemoteError is an error the responder returned.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return "remote: " + e.Msg }

// Handler answers one request from a peer.
type Handler func(ctx context.Context, from peer.ID, req []byte) ([]byte, error)

// ReqResp describes a request/response protocol.
type ReqResp struct {
	ID          protocol.ID
	MaxRequest  int
	MaxResponse int
	Timeout     time.Duration
}

const maxErrorText = 256

func writeFrame(w io.Writer, b []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(b)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// AppendFrame appends body to dst framed as on a request/response stream:
// uvarint(len(body)) || body.
func AppendFrame(dst, body []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(body))), body...)
}

func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: %d > %d bytes", ErrTooLarge, n, max)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// Serve registers h as the handler of rr on host.
func (rr ReqResp) Serve(hst host.Host, h Handler) {
	hst.SetStreamHandler(rr.ID, func(s network.Stream) {
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(rr.Timeout))
		ctx, cancel := context.WithTimeout(context.Background(), rr.Timeout)
		defer cancel()
		req, err := readFrame(bufio.NewReaderSize(s, 512), rr.MaxRequest)
		if err != nil {
			_ = s.Reset()
			return
		}
		resp, herr := h(ctx, s.Conn().RemotePeer(), req)
		if herr == nil && len(resp) > rr.MaxResponse {
			herr = fmt.Errorf("response of %d bytes exceeds the cap", len(resp))
		}
		if herr != nil {
			msg := herr.Error()
			if len(msg) > maxErrorText {
				msg = msg[:maxErrorText]
			}
			if _, err := s.Write([]byte{1}); err == nil {
				_ = writeFrame(s, []byte(msg))
			}
			return
		}
		if _, err := s.Write([]byte{0}); err == nil {
			_ = writeFrame(s, resp)
		}
	})
}

// Request sends req to p and returns the response.
func (rr ReqResp) Request(ctx context.Context, hst host.Host, p peer.ID, req []byte) ([]byte, error) {
	if len(req) > rr.MaxRequest {
		return nil, fmt.Errorf("%s request: %w", rr.ID, ErrTooLarge)
	}
	ctx, cancel := context.WithTimeout(ctx, rr.Timeout)
	defer cancel()
	s, err := hst.NewStream(ctx, p, rr.ID)
	if err != nil {
		return nil, fmt.Errorf("open %s stream: %w", rr.ID, err)
	}
	defer s.Close()
	deadline, _ := ctx.Deadline()
	_ = s.SetDeadline(deadline)
	if err := writeFrame(s, req); err != nil {
		_ = s.Reset()
		return nil, fmt.Errorf("%s request: %w", rr.ID, err)
	}
	_ = s.CloseWrite()
	r := bufio.NewReaderSize(s, 512)
	status, err := r.ReadByte()
	if err != nil {
		_ = s.Reset()
		return nil, fmt.Errorf("%s response: %w", rr.ID, err)
	}
	switch status {
	case 0:
		b, err := readFrame(r, rr.MaxResponse)
		if err != nil {
			_ = s.Reset()
			return nil, fmt.Errorf("%s response: %w", rr.ID, err)
		}
		return b, nil
	case 1:
		b, err := readFrame(r, maxErrorText)
		if err != nil {
			_ = s.Reset()
			return nil, fmt.Errorf("%s error response: %w", rr.ID, err)
		}
		return nil, &RemoteError{Msg: string(b)}
	default:
		_ = s.Reset()
		return nil, fmt.Errorf("%s response: bad status byte %d", rr.ID, status)
	}
}

// ProtocolID is the ID of a request/response protocol name on this network:
// /validator/<network>/<name>/1.
func (s *Service) ProtocolID(name string) string {
	return "/validator/" + s.cfg.Network + "/" + name + "/1"
}

// Handle serves a request/response protocol on this network's host.
func (s *Service) Handle(rr ReqResp, h Handler) { rr.Serve(s.host, h) }

// Request sends one request over rr to a peer.
func (s *Service) Request(ctx context.Context, rr ReqResp, p peer.ID, req []byte) ([]byte, error) {
	return rr.Request(ctx, s.host, p, req)
}
