package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// DefaultEvidenceWindow is the range GET /v1/evidence covers when from is not
// given.
const DefaultEvidenceWindow = 24 * time.Hour

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, errorBody{Error: fmt.Sprintf(format, args...)})
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, "ok\n")
}

// Readiness reports whether the node is ready: this node active in the
// registry (when Deps.Standing reports it), the registry synced and its sync
// not stalled for longer than StallAfter, and at least MinPeers connected
// registered peers.
func (s *Server) Readiness() Readiness {
	rs := s.d.Registry.Status()
	r := Readiness{RegistrySynced: rs.Synced, Peers: s.d.Network.PeerCount(), MinPeers: s.cfg.MinPeers}
	if s.d.Standing != nil {
		st := s.d.Standing.Standing()
		r.Registration = st.State
		if st.State != "active" {
			msg := "this node is not active in the registry (" + st.State + ")"
			if st.Reason != "" {
				msg = st.Reason
			}
			r.Failing = append(r.Failing, msg)
		}
	}
	if !rs.Synced {
		msg := "registry not synced"
		if rs.LastError != "" {
			msg += ": " + rs.LastError
		}
		r.Failing = append(r.Failing, msg)
	} else if since := time.Since(rs.LastSuccess); s.cfg.StallAfter > 0 && since > s.cfg.StallAfter {
		r.RegistryStalled = true
		msg := fmt.Sprintf("registry sync stalled: no successful sync for %s (chain.stall_after %s), view at block %d", since.Round(time.Second), s.cfg.StallAfter, rs.Block)
		if rs.LastError != "" {
			msg += "; last error: " + rs.LastError
		}
		r.Failing = append(r.Failing, msg)
	}
	if r.Peers < r.MinPeers {
		r.Failing = append(r.Failing, fmt.Sprintf("%d connected registered peers, need %d", r.Peers, r.MinPeers))
	}
	r.Ready = len(r.Failing) == 0
	return r
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	r := s.Readiness()
	code := http.StatusOK
	if !r.Ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, r)
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	in := s.d.Info
	addrs := s.d.Network.ListenAddrs()
	if addrs == nil {
		addrs = []string{}
	}
	var reg *NodeStanding
	if s.d.Standing != nil {
		st := s.d.Standing.Standing()
		reg = &st
	}
	writeJSON(w, http.StatusOK, Status{
		NodeID: in.NodeID, PeerID: in.PeerID, Network: in.Network, ChainID: in.ChainID,
		RegistryAddress: in.Registry, Registry: s.d.Registry.Status(), Registration: reg,
		PeerCount: s.d.Network.PeerCount(), ListenAddrs: addrs, Version: in.Version,
		StartedAt: s.started.UTC(), UptimeSeconds: time.Since(s.started).Seconds(),
		StoreSchemaVersion: in.StoreSchemaVersion,
	})
}

// peers lists connected peers with their liveness, then tracked registered
// peers that are not connected (offline ones are why an operator looks).
func (s *Server) peers(w http.ResponseWriter, _ *http.Request) {
	states := s.d.Evidence.PeerStates()
	connected := s.d.Network.Peers()
	out := make([]Peer, 0, len(connected)+len(states))
	seen := make(map[common.Address]bool, len(connected))
	for _, p := range connected {
		p.Connected = true
		if p.Registered {
			seen[p.NodeID] = true
			if l, ok := states[p.NodeID]; ok {
				p.withLiveness(l)
			}
		}
		out = append(out, p)
	}
	var absent []Peer
	for id, l := range states {
		if seen[id] {
			continue
		}
		p := Peer{NodeID: id, Registered: true}
		p.withLiveness(l)
		absent = append(absent, p)
	}
	slices.SortFunc(absent, func(a, b Peer) int { return a.NodeID.Cmp(b.NodeID) })
	writeJSON(w, http.StatusOK, append(out, absent...))
}

func (p *Peer) withLiveness(l PeerLiveness) {
	score := l.Score
	p.State, p.StateSince, p.Score = l.State, l.Since, &score
}

// parseEvidenceQuery reads ?peer=0x..&from=RFC3339&to=RFC3339; to defaults to
// now and from to DefaultEvidenceWindow before to.
func parseEvidenceQuery(r *http.Request, now time.Time) (peer common.Address, from, to time.Time, err error) {
	q := r.URL.Query()
	ps := q.Get("peer")
	switch {
	case ps == "":
		return peer, from, to, errors.New("missing peer: want ?peer=0x<node ID>")
	case !common.IsHexAddress(ps) || len(ps) != 2+2*common.AddressLength:
		return peer, from, to, fmt.Errorf("bad peer %q: want a 0x-prefixed 20-byte hex node ID", ps)
	}
	peer = common.HexToAddress(ps)
	parse := func(name string, def time.Time) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad %s %q: want RFC 3339, e.g. 2006-01-02T15:04:05Z", name, v)
		}
		return t, nil
	}
	if to, err = parse("to", now); err != nil {
		return peer, from, to, err
	}
	if from, err = parse("from", to.Add(-DefaultEvidenceWindow)); err != nil {
		return peer, from, to, err
	}
	if to.Before(from) {
		return peer, from, to, fmt.Errorf("bad range: to %s is before from %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return peer, from, to, nil
}

func (s *Server) evidence(w http.ResponseWriter, r *http.Request) {
	peer, from, to, err := parseEvidenceQuery(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	signed, err := s.d.Evidence.Export(peer, from, to)
	if err != nil {
		s.log.Debug("export evidence", "peer", peer, "err", err)
		writeError(w, http.StatusInternalServerError, "export evidence: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, signed)
}

// reports lists the registry's accountability parameters and the offline
// attestations this node keeps, per node and window.
func (s *Server) reports(w http.ResponseWriter, _ *http.Request) {
	if s.d.Reports == nil {
		writeError(w, http.StatusServiceUnavailable, "offline reports are not available on this node")
		return
	}
	r, err := s.d.Reports.Reports()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "read reports: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, r)
}

func (s *Server) knownTopic(topic string) bool {
	return slices.Contains(s.d.Network.Topics(), topic)
}

// publishRetryAfter is the Retry-After of a publish refused as busy, in
// seconds: the node's outbound queues drain in well under a second unless a
// peer has stopped reading.
const publishRetryAfter = "1"

// publish signs the body as this node and gossips it. A publish peers would
// refuse is refused here with the reason (403 role, 413 size, 422 payload), and
// one the node cannot take without dropping it is refused with 503 and
// Retry-After: a 202 means the message was queued for every reading peer.
func (s *Server) publish(w http.ResponseWriter, r *http.Request) {
	topic := r.PathValue("topic")
	if !s.knownTopic(topic) {
		writeError(w, http.StatusNotFound, "unknown topic %q (topics: %v)", topic, s.d.Network.Topics())
		return
	}
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, "body of %d bytes exceeds max_body_bytes %d", r.ContentLength, limit)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	// Clear the deadline: the server's background read, which notices a client
	// going away, must not time out while Publish runs.
	_ = rc.SetReadDeadline(time.Time{})
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "body exceeds max_body_bytes %d", limit)
			return
		}
		writeError(w, http.StatusBadRequest, "read body: %v", err)
		return
	}
	if len(body) == 0 {
		writeError(w, http.StatusBadRequest, "empty body: the payload is the request body")
		return
	}
	if err := s.d.Network.Publish(r.Context(), topic, body); err != nil {
		switch {
		case errors.Is(err, ErrUnknownTopic):
			writeError(w, http.StatusNotFound, "%v", err)
		case errors.Is(err, ErrForbidden):
			writeError(w, http.StatusForbidden, "%v", err)
		case errors.Is(err, ErrTooLarge):
			writeError(w, http.StatusRequestEntityTooLarge, "%v", err)
		case errors.Is(err, ErrBadPayload):
			writeError(w, http.StatusUnprocessableEntity, "%v", err)
		case errors.Is(err, ErrBusy):
			// Refused, not accepted and dropped: nothing was gossiped.
			w.Header().Set("Retry-After", publishRetryAfter)
			writeError(w, http.StatusServiceUnavailable, "%v", err)
		case r.Context().Err() != nil:
			writeError(w, http.StatusServiceUnavailable, "publish on %s: %v", topic, r.Context().Err())
		default:
			s.log.Debug("publish", "topic", topic, "err", err)
			writeError(w, http.StatusInternalServerError, "%v", err)
		}
		return
	}
	writeJSON(w, http.StatusAccepted, PublishResult{Topic: topic, Bytes: len(body)})
}
