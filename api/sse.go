package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strconv"
	"time"
)

// endWriteTimeout bounds writing the final "end" event, so a stuck client
// cannot hold a stream (or Close) for a full WriteTimeout after it ended.
const endWriteTimeout = time.Second

// subscribe streams a topic's messages as server-sent events:
//
//	event: message
//	data: {"id":"…","topic":"jobs","sender":"0x…","timestamp":"…","payload_base64":"…"}
//
// with a comment line every Heartbeat, and a final
//
//	event: end
//	data: {"reason":"slow_consumer"|"shutdown"|"error"}
//
// when the server ends the stream. A pump goroutine moves messages from the
// network subscription into a bounded buffer without ever blocking; if the
// client lets the buffer fill, it is disconnected: the node never waits for a
// local reader.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	topic := r.PathValue("topic")
	if !s.knownTopic(topic) {
		writeError(w, http.StatusNotFound, "unknown topic %q (topics: %v)", topic, s.d.Network.Topics())
		return
	}
	if !s.track() {
		writeError(w, http.StatusServiceUnavailable, "api is shutting down")
		return
	}
	defer s.wg.Done()
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "too many subscribers: the limit is %d concurrent streams", cap(s.slots))
		return
	}
	sub, err := s.d.Network.Subscribe(topic)
	if err != nil {
		if errors.Is(err, ErrUnknownTopic) {
			writeError(w, http.StatusNotFound, "%v", err)
		} else {
			writeError(w, http.StatusServiceUnavailable, "subscribe to %s: %v", topic, err)
		}
		return
	}

	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(s.closing, cancel)
	st := &stream{rc: http.NewResponseController(w), w: w, timeout: s.cfg.WriteTimeout}
	buf := make(chan Message, s.cfg.SubscriberBuffer)
	pumpDone := make(chan struct{})
	var overflow bool // written by the pump before pumpDone closes
	go func() {
		defer close(pumpDone)
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			select {
			case buf <- m:
			default:
				// Interrupt a write blocked on the client at once; safe from
				// this goroutine, as the handler waits for it before returning.
				overflow = true
				_ = st.rc.SetWriteDeadline(time.Now())
				return
			}
		}
	}()
	s.m.sseClients.Inc()
	defer func() {
		stop()
		cancel()
		sub.Close()
		<-pumpDone
		s.m.sseClients.Dec()
	}()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	reason := endClient
	if err := st.send([]byte(": subscribed to " + strconv.Quote(topic) + "\n\n")); err == nil {
		reason = s.pumpStream(ctx, st, buf, pumpDone, &overflow)
	}
	s.m.sseEnded.WithLabelValues(reason).Inc()
	if reason != endSlow {
		s.log.Debug("api subscriber ended", "topic", topic, "reason", reason)
		return
	}
	s.log.Warn("api subscriber too slow, disconnected", "topic", topic, "buffer", s.cfg.SubscriberBuffer)
	// Close the connection, not just the response: when the socket still had
	// room for the end event, returning would end the chunked response cleanly
	// and keep the connection alive for a client that stopped reading.
	panic(http.ErrAbortHandler)
}

// pumpStream writes buffered messages and heartbeats until the stream ends,
// and says why it ended.
func (s *Server) pumpStream(ctx context.Context, st *stream, buf <-chan Message, pumpDone <-chan struct{}, overflow *bool) string {
	hb := time.NewTicker(s.cfg.Heartbeat)
	defer hb.Stop()
	for {
		// A stream the pump gave up on ends before writing anything more.
		select {
		case <-pumpDone:
			return s.pumpEnded(ctx, st, *overflow)
		default:
		}
		select {
		case m := <-buf:
			// Write what is queued, then flush once.
			n := len(buf)
			if err := st.event(m); err != nil {
				return writeFailure(err)
			}
			for range n {
				if err := st.event(<-buf); err != nil {
					return writeFailure(err)
				}
			}
			if err := st.flush(); err != nil {
				return writeFailure(err)
			}
			s.m.sseMessages.Add(float64(n + 1))
		case <-hb.C:
			if err := st.send([]byte(": heartbeat\n\n")); err != nil {
				return writeFailure(err)
			}
		case <-pumpDone:
			return s.pumpEnded(ctx, st, *overflow)
		case <-ctx.Done():
			return s.cancelled(st)
		}
	}
}

// pumpEnded says why the pump stopped: overflow, cancellation, or the
// subscription ending under us (the network is closing).
func (s *Server) pumpEnded(ctx context.Context, st *stream, overflow bool) string {
	switch {
	case overflow:
		st.end(endSlow)
		return endSlow
	case ctx.Err() != nil:
		return s.cancelled(st)
	default:
		st.end(endError)
		return endError
	}
}

// cancelled tells apart a client that left from a server that is closing.
func (s *Server) cancelled(st *stream) string {
	if s.closing.Err() != nil {
		st.end(endShutdown)
		return endShutdown
	}
	return endClient
}

// writeFailure classifies a failed write: a deadline means the client stopped
// reading; anything else that it went away.
func writeFailure(err error) string {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return endSlow
	}
	return endClient
}

// stream writes one SSE response, each write under its own deadline.
type stream struct {
	rc      *http.ResponseController
	w       http.ResponseWriter
	timeout time.Duration
}

func (st *stream) write(b []byte, timeout time.Duration) error {
	_ = st.rc.SetWriteDeadline(time.Now().Add(timeout))
	_, err := st.w.Write(b)
	return err
}

func (st *stream) flush() error { return st.rc.Flush() }

func (st *stream) send(b []byte) error {
	if err := st.write(b, st.timeout); err != nil {
		return err
	}
	return st.flush()
}

func (st *stream) event(m Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	b := make([]byte, 0, len(data)+len("event: message\ndata: \n\n"))
	b = append(b, "event: message\ndata: "...)
	b = append(b, data...)
	b = append(b, "\n\n"...)
	return st.write(b, st.timeout)
}

// end tells the client why the server ends the stream, best effort.
func (st *stream) end(reason string) {
	data, _ := json.Marshal(streamEnd{Reason: reason})
	if st.write([]byte("event: end\ndata: "+string(data)+"\n\n"), min(st.timeout, endWriteTimeout)) == nil {
		_ = st.flush()
	}
}
