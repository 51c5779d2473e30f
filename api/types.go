package api

import (
	"context"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/evidence"
)

// The API depends on the rest of the node only through the interfaces below,
// so it can be tested against in-memory implementations and wired to the real
// parts by thin adapters in node/.

// Network is the p2p layer as the API uses it.
type Network interface {
	// Publish signs payload and gossips it on topic (a short name such as
	// "jobs"). Errors wrapping ErrUnknownTopic answer 404, ErrForbidden 403,
	// ErrTooLarge 413, ErrBadPayload 422 and ErrBusy 503 with Retry-After.
	Publish(ctx context.Context, topic string, payload []byte) error
	// Subscribe starts receiving a topic's verified messages.
	Subscribe(topic string) (Subscription, error)
	// PeerCount is the number of connected registered peers.
	PeerCount() int
	// Peers lists connected peers, filling the connection fields of Peer; the
	// API adds the liveness fields from Evidence.
	Peers() []Peer
	// Topics are the short names of the topics this node carries.
	Topics() []string
	// ListenAddrs are this node's dialable multiaddrs.
	ListenAddrs() []string
}

// Subscription yields one topic's messages.
type Subscription interface {
	// Next blocks for the next message; it fails when ctx ends or the
	// subscription is closed.
	Next(ctx context.Context) (Message, error)
	// Close ends the subscription; Next then fails.
	Close()
}

// Registry reports the registry view's progress.
type Registry interface {
	Status() RegistryStatus
}

// Standing reports this node's own registration (optional in Deps).
type Standing interface {
	Standing() NodeStanding
}

// NodeStanding is this node's own registration as the registry view sees it.
type NodeStanding struct {
	// State is "active", "pending" (registered, not yet confirmed), "exited"
	// or "not_registered".
	State string `json:"state"`
	// Reason says, in words, why the node is not active (empty when active).
	Reason string `json:"reason,omitempty"`
	// Since is when the node entered State.
	Since time.Time `json:"since,omitzero"`
}

// Evidence exports signed liveness evidence and reports peers' current
// liveness.
type Evidence interface {
	// Export builds and signs this node's evidence about peer in [from, to].
	Export(peer common.Address, from, to time.Time) (evidence.Signed, error)
	// PeerStates is every tracked peer's current liveness, by node ID.
	PeerStates() map[common.Address]PeerLiveness
}

// Info is what the node knows about itself at wiring time.
type Info struct {
	NodeID   common.Address
	PeerID   string
	Network  string
	ChainID  uint64
	Registry common.Address
	Version  string
	// StoreSchemaVersion is the schema version of the store the node opened.
	StoreSchemaVersion uint64
	// Started is when the node started; zero means when the API was built.
	Started time.Time
}

// Sentinel errors a Network may wrap so the API answers with the right status.
var (
	// ErrUnknownTopic: the topic is not one this network carries (404).
	ErrUnknownTopic = errors.New("unknown topic")
	// ErrTooLarge: the payload does not fit the topic's size cap (413).
	ErrTooLarge = errors.New("payload too large")
	// ErrForbidden: this node may not publish on the topic (403), e.g. a
	// coordinator-only topic on a validator, or heartbeats, which only the
	// daemon itself sends.
	ErrForbidden = errors.New("publish not allowed")
	// ErrBadPayload: the payload is not what the topic carries (422).
	ErrBadPayload = errors.New("payload invalid for the topic")
	// ErrBusy: the node cannot take the message now without dropping it
	// (503 with Retry-After); retry shortly.
	ErrBusy = errors.New("busy")
)

// Message is a verified gossip message, as the API streams it.
type Message struct {
	// ID is a printable message ID (the node hex-encodes the p2p layer's
	// binary one).
	ID    string `json:"id"`
	Topic string `json:"topic"`
	// Sender is the registered node that signed the message.
	Sender    common.Address `json:"sender"`
	Timestamp time.Time      `json:"timestamp"`
	Payload   []byte         `json:"payload_base64"`
}

// Peer is one entry of GET /v1/peers.
type Peer struct {
	// PeerID is empty for a tracked peer that is not connected.
	PeerID string `json:"peer_id,omitempty"`
	// NodeID is zero (and omitted) for a connected peer that is not registered.
	NodeID     common.Address `json:"node_id,omitzero"`
	Registered bool           `json:"registered"`
	Connected  bool           `json:"connected"`
	// Direction is "inbound" or "outbound" for a connected peer.
	Direction      string    `json:"direction,omitempty"`
	Addrs          []string  `json:"addrs,omitempty"`
	LatencyMs      float64   `json:"latency_ms,omitempty"`
	ConnectedSince time.Time `json:"connected_since,omitzero"`
	Version        string    `json:"version,omitempty"`
	// GossipScore is gossipsub's score of a connected peer (refreshed every
	// second): never negative but for misbehaviour; under -1600 it is
	// graylisted. Absent until gossipsub has scored the peer.
	GossipScore *float64 `json:"gossip_score,omitempty"`

	// Liveness, filled by the API from Evidence.PeerStates.
	State      string    `json:"state,omitempty"`
	StateSince time.Time `json:"state_since,omitzero"`
	Score      *float64  `json:"score,omitempty"`
}

// PeerLiveness is a peer's current liveness class and score.
type PeerLiveness struct {
	// State is "unknown", "responsive", "slow", "offline" or "unreached".
	State string
	Since time.Time
	Score float64
}

// RegistryStatus is the registry view's progress.
type RegistryStatus struct {
	Synced bool `json:"synced"`
	// Block is the last processed (confirmed) block; Head the latest head seen.
	Block       uint64      `json:"block"`
	BlockHash   common.Hash `json:"block_hash,omitzero"`
	Head        uint64      `json:"head"`
	Nodes       int         `json:"nodes"`
	LastError   string      `json:"last_error,omitempty"`
	LastSuccess time.Time   `json:"last_success,omitzero"`
}

// Status is the body of GET /v1/status.
type Status struct {
	NodeID          common.Address `json:"node_id"`
	PeerID          string         `json:"peer_id"`
	Network         string         `json:"network"`
	ChainID         uint64         `json:"chain_id"`
	RegistryAddress common.Address `json:"registry_address"`
	Registry        RegistryStatus `json:"registry"`
	// Registration is this node's own standing in the registry.
	Registration *NodeStanding `json:"registration,omitempty"`
	// PeerCount is the number of connected registered peers.
	PeerCount     int       `json:"peer_count"`
	ListenAddrs   []string  `json:"listen_addrs"`
	Version       string    `json:"version"`
	StartedAt     time.Time `json:"started_at"`
	UptimeSeconds float64   `json:"uptime_seconds"`
	// StoreSchemaVersion is the schema version of the node's store (0: not
	// reported).
	StoreSchemaVersion uint64 `json:"store_schema_version,omitempty"`
}

// Readiness is the body of GET /readyz.
type Readiness struct {
	Ready          bool `json:"ready"`
	RegistrySynced bool `json:"registry_synced"`
	// RegistryStalled: no registry sync round has succeeded for longer than
	// the configured StallAfter (the RPC endpoint is down or stuck).
	RegistryStalled bool `json:"registry_stalled"`
	// Registration is this node's registration state ("active", "pending",
	// "exited", "not_registered"); empty if the node does not report it.
	Registration string `json:"registration,omitempty"`
	Peers        int    `json:"peers"`
	MinPeers     int    `json:"min_peers"`
	// Failing says, in words, each condition that is not met.
	Failing []string `json:"failing,omitempty"`
}

// PublishResult is the body of a 202 from POST /v1/publish/{topic}.
type PublishResult struct {
	Topic string `json:"topic"`
	Bytes int    `json:"bytes"`
}

// errorBody is the body of every JSON error.
type errorBody struct {
	Error string `json:"error"`
}

// streamEnd is the data of the SSE "end" event the server sends before it
// closes a stream.
type streamEnd struct {
	Reason string `json:"reason"`
}

// ReportsSource serves /v1/reports: the registry's accountability parameters
// and the offline attestations this node keeps, counted per node and window.
type ReportsSource interface {
	Reports() (Reports, error)
}

// Reports is the body of GET /v1/reports.
type Reports struct {
	// Enabled: this node attests peers offline (accountability.enabled).
	Enabled bool `json:"enabled"`
	// Submit: this node sends reports when a quorum has attested
	// (accountability.submit).
	Submit            bool           `json:"submit"`
	Params            ReportParams   `json:"params"`
	CurrentWindow     uint64         `json:"current_window"`
	CurrentWindowEnds time.Time      `json:"current_window_ends"`
	Quorums           []ReportQuorum `json:"quorums"`
}

// ReportParams are the registry's accountability parameters.
type ReportParams struct {
	ReportWindowSeconds     uint64 `json:"report_window_seconds"`
	OfflineThresholdSeconds uint64 `json:"offline_threshold_seconds"`
	ReportDeadlineSeconds   uint64 `json:"report_deadline_seconds"`
	JailPeriodSeconds       uint64 `json:"jail_period_seconds"`
	SlashBps                uint16 `json:"slash_bps"`
	CommitteeSize           uint32 `json:"committee_size"`
}

// ReportQuorum is what the attestations about one node in one window amount
// to under the current registry view.
type ReportQuorum struct {
	Node        common.Address `json:"node"`
	Window      uint64         `json:"window"`
	WindowStart time.Time      `json:"window_start"`
	// Deadline is the last moment the window may be reported.
	Deadline time.Time `json:"deadline"`
	// Attestations are those kept; Eligible those the registry would count
	// now (attester active since before the window, in the node's committee);
	// Needed is the quorum (0 when the node is no longer active).
	Attestations int  `json:"attestations"`
	Eligible     int  `json:"eligible"`
	Needed       int  `json:"needed"`
	Met          bool `json:"met"`
	// Submission is this node's report transaction, if it sent one or found
	// the report made.
	Submission *ReportSubmission `json:"submission,omitempty"`
}

// ReportSubmission is this node's report transaction for a node and window.
type ReportSubmission struct {
	// State is sending, sent, failed or reported (another attester sent it).
	State  string    `json:"state"`
	TxHash string    `json:"tx_hash,omitempty"`
	At     time.Time `json:"at"`
	Error  string    `json:"error,omitempty"`
}
