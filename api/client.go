package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/evidence"
)

// ErrUnreachable: nothing answered at the API address.
var ErrUnreachable = errors.New("node API unreachable")

// StatusError is an error answer from the API.
type StatusError struct {
	Code int
	// Message is the server's explanation.
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s (HTTP %d %s)", e.Message, e.Code, http.StatusText(e.Code))
}

// Client calls a node's local API. It is safe for concurrent use.
type Client struct {
	base    string
	baseErr error
	hc      *http.Client
}

// DefaultClientTimeout bounds a call whose context has no deadline (streams
// excepted).
const DefaultClientTimeout = 10 * time.Second

// maxResponseBytes bounds what the client reads of one answer.
const maxResponseBytes = 32 << 20

// maxEventBytes bounds one server-sent event line.
const maxEventBytes = 16 << 20

// NewClient returns a client of the API at baseURL: "http://127.0.0.1:7400",
// or the api.listen value itself ("127.0.0.1:7400"; an unspecified host such
// as "0.0.0.0" or "" means this machine). An empty baseURL is DefaultListen.
// A malformed address is reported by the first call.
func NewClient(baseURL string) *Client {
	base, err := normalizeBase(baseURL)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // the API is local; never send it through a proxy
	return &Client{base: base, baseErr: err, hc: &http.Client{Transport: tr}}
}

// BaseURL is the URL the client calls.
func (c *Client) BaseURL() string { return c.base }

// Close releases the client's idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

func normalizeBase(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultListen
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s, fmt.Errorf("api address %q: %w (want host:port or http://host:port; see api.listen)", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return s, fmt.Errorf("api address %q: scheme %q (want http)", s, u.Scheme)
	}
	host, port := u.Hostname(), u.Port()
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	if port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else {
		u.Host = host
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// do sends a request and returns a response with a 2xx status; any other
// status becomes a *StatusError.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, accept string) (*http.Response, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", accept)
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, ctx.Err())
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w at %s (is the node running? check api.listen): %w", ErrUnreachable, c.base, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var eb errorBody
		msg := strings.TrimSpace(string(b))
		if json.Unmarshal(b, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		if msg == "" {
			msg = method + " " + path
		}
		return nil, &StatusError{Code: resp.StatusCode, Message: msg}
	}
	return resp, nil
}

// call sends a request and decodes its JSON answer into out.
func (c *Client) call(ctx context.Context, method, path string, body io.Reader, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultClientTimeout)
		defer cancel()
	}
	resp, err := c.do(ctx, method, path, body, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("decode %s answer: %w", path, err)
	}
	return nil
}

// Status reads GET /v1/status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	return s, c.call(ctx, http.MethodGet, "/v1/status", nil, &s)
}

// Ready reads GET /readyz. A node that is not ready is not an error: see
// Readiness.Ready and Failing.
func (c *Client) Ready(ctx context.Context) (Readiness, error) {
	var r Readiness
	err := c.call(ctx, http.MethodGet, "/readyz", nil, &r)
	if se, ok := errors.AsType[*StatusError](err); ok && se.Code == http.StatusServiceUnavailable {
		// The 503 body is a Readiness too (do kept it as the message).
		if json.Unmarshal([]byte(se.Message), &r) == nil {
			return r, nil
		}
	}
	return r, err
}

// Reports is GET /v1/reports.
func (c *Client) Reports(ctx context.Context) (Reports, error) {
	var r Reports
	err := c.call(ctx, http.MethodGet, "/v1/reports", nil, &r)
	return r, err
}

// Peers reads GET /v1/peers.
func (c *Client) Peers(ctx context.Context) ([]Peer, error) {
	var p []Peer
	return p, c.call(ctx, http.MethodGet, "/v1/peers", nil, &p)
}

// Evidence reads GET /v1/evidence: this node's signed evidence about peer in
// [from, to]. A zero to means now; a zero from means DefaultEvidenceWindow
// before to. Check the answer with evidence.Verify.
func (c *Client) Evidence(ctx context.Context, peer common.Address, from, to time.Time) (evidence.Signed, error) {
	q := url.Values{"peer": {peer.Hex()}}
	if !from.IsZero() {
		q.Set("from", from.UTC().Format(time.RFC3339Nano))
	}
	if !to.IsZero() {
		q.Set("to", to.UTC().Format(time.RFC3339Nano))
	}
	var s evidence.Signed
	return s, c.call(ctx, http.MethodGet, "/v1/evidence?"+q.Encode(), nil, &s)
}

// Publish gossips payload on topic through the node.
func (c *Client) Publish(ctx context.Context, topic string, payload []byte) error {
	var r PublishResult
	return c.call(ctx, http.MethodPost, "/v1/publish/"+url.PathEscape(topic), bytes.NewReader(payload), &r)
}

// Subscribe streams topic's messages. It returns once the node has subscribed;
// the channel is closed when ctx ends, the node ends the stream (shutdown, or
// this reader fell too far behind and was disconnected), or the connection
// breaks. Read the channel promptly: the node disconnects slow readers.
func (c *Client) Subscribe(ctx context.Context, topic string) (<-chan Message, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/subscribe/"+url.PathEscape(topic), nil, "text/event-stream")
	if err != nil {
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		resp.Body.Close()
		return nil, fmt.Errorf("subscribe to %s: answer is %q, not an event stream", topic, mt)
	}
	out := make(chan Message, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		readEvents(resp.Body, func(event string, data []byte) bool {
			switch event {
			case "message", "":
				var m Message
				if json.Unmarshal(data, &m) != nil {
					return true // not ours to judge; skip
				}
				select {
				case out <- m:
					return true
				case <-ctx.Done():
					return false
				}
			case "end":
				return false
			default:
				return true
			}
		})
	}()
	return out, nil
}

// readEvents parses a server-sent event stream, calling fn per event until fn
// returns false or the stream ends.
func readEvents(r io.Reader, fn func(event string, data []byte) bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventBytes)
	var (
		event string
		data  []byte
		has   bool
	)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			if has && !fn(event, data) {
				return
			}
			event, data, has = "", data[:0], false
			continue
		}
		if line[0] == ':' {
			continue // comment (heartbeat)
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			event = string(value)
		case "data":
			if has {
				data = append(data, '\n')
			}
			data = append(data, value...)
			has = true
		}
	}
}
