package p2p

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
)

// Config configures the network service. Zero values take the defaults of
// DefaultConfig.
type Config struct {
	// Network, ChainID and Registry identify the network; the status handshake
	// drops peers that disagree on any of them.
	Network  string
	ChainID  uint64
	Registry common.Address
	// Version is this software's version, sent in the handshake and heartbeats.
	Version string

	// ListenAddrs are multiaddrs to listen on; QUIC first, TCP as fallback.
	ListenAddrs []string
	// ExternalAddrs are announced in addition to (and before) the listen addresses.
	ExternalAddrs []string
	// MaxConnections caps connections: the connection manager trims above it and
	// the resource manager refuses beyond it.
	MaxConnections int
	// TargetPeers is how many registered peers discovery keeps connected.
	TargetPeers int
	// IdleTimeout closes connections that carried no stream for this long.
	IdleTimeout time.Duration
	// BootstrapPeers are static multiaddrs (with /p2p/<id>) dialled at start.
	BootstrapPeers []string

	// MDNS announces this node and finds peers by multicast DNS on the local
	// network (LAN and lab setups; p2p/mdns.go). Found peers are only proposed
	// addresses: an unregistered one is never dialled.
	MDNS bool
	// Discv5 runs Node Discovery v5 on UDP port Discv5Port (negative: any
	// free port, for tests) with an ENR signed by the node key that carries
	// the network, chain ID and registry, and Discv5Bootnodes ("enr:..."
	// records) to start from (p2p/discv5.go). ENRs of other networks or of
	// keys that are not registered are never dialled.
	Discv5          bool
	Discv5Port      int
	Discv5Bootnodes []string

	// DHTRefresh is the Kademlia routing-table refresh period; negative: no
	// refresh walk at all (the table fills from connections).
	DHTRefresh time.Duration
	// DiscoveryInterval is how often discovery tops up connections.
	DiscoveryInterval time.Duration
	// DialTimeout bounds one dial.
	DialTimeout time.Duration
	// HandshakeTimeout bounds the status exchange; an inbound peer that does
	// not handshake within it is dropped.
	HandshakeTimeout time.Duration
	// HeartbeatInterval is how often this node gossips its addresses.
	HeartbeatInterval time.Duration
	// AddrExpiry drops address-book entries not refreshed by a heartbeat for this long.
	AddrExpiry time.Duration

	// Gossip validation: sizes, timestamp window, coordinator-only topics.
	Validation ValidatorConfig
	// PeerMessageRate bounds the gossip messages validated per second from one
	// forwarding peer, with bursts of PeerMessageBurst; beyond it messages are
	// ignored (counted as rate_limited), not penalised.
	PeerMessageRate  int
	PeerMessageBurst int
	// CompressMinBytes: Publish sends a payload of at least this many bytes
	// snappy-compressed when that is shorter (CompressPayload); 0, the
	// default, never compresses. Receiving accepts both forms either way.
	CompressMinBytes int
	// SubscriptionBuffer is each local subscription's queue length; a
	// subscriber that falls behind loses the oldest messages (counted).
	SubscriptionBuffer int

	// PingInterval is how often every registered peer is probed; PingTimeout
	// bounds one probe.
	PingInterval time.Duration
	PingTimeout  time.Duration
	// CloseAfterMisses: a connected peer that misses this many pings in a row
	// has its connections closed, so the next probe dials afresh instead of
	// waiting on a connection that went dead (a partition, a crashed host)
	// and the transport's retransmission backoff. The node sets it to
	// liveness.offline_after.
	CloseAfterMisses int
	// OnObservation receives every probe result (liveness evidence). Probing is
	// off when it is nil.
	OnObservation func(Observation)
	// OnRejected is told the forwarding peer of every gossip message rejected
	// (penalised) by validation.
	OnRejected func(peer.ID)
	// AppScore, if set, is gossipsub's application-specific peer score
	// (reputation); negative scores push a peer out of meshes.
	AppScore func(peer.ID) float64

	// RegistryBlock reports the registry block the membership reflects, for the
	// handshake. May be nil.
	RegistryBlock func() uint64
	// OnHeartbeat is called with each verified heartbeat (persistence hook).
	OnHeartbeat func(AddrEntry)
	// PayloadChecks are the payload checks of topics whose payload the
	// application layer defines (attestations): run on every message whose
	// envelope is valid, with the sender's node ID. An error rejects the
	// message (ReasonBadPayload), unless it wraps ErrIgnorePayload, which
	// ignores it (ReasonIgnoredPayload): an honest sender can cause that one.
	PayloadChecks map[string]PayloadCheck

	Logger     *slog.Logger
	Registerer prometheus.Registerer

	// Host, when set, is an existing libp2p host the service runs on instead
	// of building its own: the simulator (sim/) and tests set it to a mocknet
	// host; the daemon never does. ListenAddrs and ExternalAddrs are then
	// ignored and no port is checked. The host's owner closes it: Close only
	// detaches the service. The gate cannot be installed in a host already
	// built, so it is enforced when a connection is up: a connection to a peer
	// the gate would refuse is closed as soon as it is reported (no stream of
	// ours is opened on it). The connection manager watches the host and trims
	// as it would on its own host.
	Host host.Host

	// silent stops this node's heartbeats (tests of the other discovery paths).
	silent bool
	// noDHTLookup stops discovery asking the DHT where a peer is (tests of
	// the other discovery paths).
	noDHTLookup bool
}

// DefaultConfig returns the defaults for a network. Those of the settings in
// validator.toml's [network] section come from DefaultNetworkSection.
func DefaultConfig(network string) Config {
	c := Config{
		Network:            network,
		Version:            "dev",
		DiscoveryInterval:  2 * time.Second,
		DialTimeout:        10 * time.Second,
		HandshakeTimeout:   5 * time.Second,
		SubscriptionBuffer: 1024,
		PeerMessageRate:    DefaultPeerMessageRate,
		PeerMessageBurst:   DefaultPeerMessageBurst,
		PingInterval:       10 * time.Second,
		PingTimeout:        5 * time.Second,
		CloseAfterMisses:   3,
	}
	DefaultNetworkSection().apply(&c)
	return c
}

// applyDefaults gives every exported field left zero DefaultConfig's value
// (so a new setting needs only its default there; a setting whose zero means
// something must have a zero default), then fills what depends on other
// fields.
func (c *Config) applyDefaults() {
	d := DefaultConfig(c.Network)
	burst := c.PeerMessageBurst
	cv, dv := reflect.ValueOf(c).Elem(), reflect.ValueOf(d)
	for i := range cv.NumField() {
		if f := cv.Field(i); f.CanSet() && f.IsZero() {
			f.Set(dv.Field(i))
		}
	}
	if burst == 0 {
		c.PeerMessageBurst = max(d.PeerMessageBurst, c.PeerMessageRate)
	}
	if c.Validation.Network == "" {
		c.Validation.Network = c.Network
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

func (c *Config) validate() error {
	var errs []error
	if c.Network == "" {
		errs = append(errs, errors.New("network name is empty"))
	}
	if c.Validation.Network != c.Network {
		errs = append(errs, fmt.Errorf("validation network %q differs from network %q", c.Validation.Network, c.Network))
	}
	if len(c.ListenAddrs) == 0 {
		errs = append(errs, errors.New("no listen addresses"))
	}
	for _, group := range [][]string{c.ListenAddrs, c.ExternalAddrs} {
		for _, a := range group {
			if _, err := ma.NewMultiaddr(a); err != nil {
				errs = append(errs, fmt.Errorf("multiaddr %q: %w", a, err))
			}
		}
	}
	if c.MaxConnections < 2 {
		errs = append(errs, fmt.Errorf("max_connections %d: want >= 2", c.MaxConnections))
	}
	if c.TargetPeers < 1 || c.TargetPeers > c.MaxConnections {
		errs = append(errs, fmt.Errorf("target peers %d: want 1..max_connections (%d)", c.TargetPeers, c.MaxConnections))
	}
	for name, d := range map[string]time.Duration{
		"idle_timeout": c.IdleTimeout, "discovery interval": c.DiscoveryInterval,
		"dial timeout": c.DialTimeout, "handshake timeout": c.HandshakeTimeout,
		"heartbeat interval": c.HeartbeatInterval, "address expiry": c.AddrExpiry,
		"ping_interval": c.PingInterval, "ping timeout": c.PingTimeout,
	} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s %s: want > 0", name, d))
		}
	}
	if c.PeerMessageRate < 0 || c.PeerMessageBurst < 0 {
		errs = append(errs, fmt.Errorf("peer message rate %d/s, burst %d: want > 0", c.PeerMessageRate, c.PeerMessageBurst))
	}
	if c.CompressMinBytes < 0 {
		errs = append(errs, fmt.Errorf("compress min bytes %d: want >= 0 (0: never compress)", c.CompressMinBytes))
	}
	if c.CloseAfterMisses < 1 {
		errs = append(errs, fmt.Errorf("close after misses %d: want >= 1", c.CloseAfterMisses))
	}
	if c.Discv5 {
		if c.Discv5Port > 65535 {
			errs = append(errs, fmt.Errorf("discv5 port %d: want 1..65535", c.Discv5Port))
		}
		if c.Discv5Port > 0 && slices.Contains(quicPorts(c.ListenAddrs), c.Discv5Port) {
			errs = append(errs, fmt.Errorf("discv5 port %d is a QUIC listen port", c.Discv5Port))
		}
		if _, err := ParseENRs(c.Discv5Bootnodes); err != nil {
			errs = append(errs, fmt.Errorf("discv5 bootnodes: %w", err))
		}
	}
	if c.SubscriptionBuffer <= 0 {
		errs = append(errs, fmt.Errorf("subscription buffer %d: want > 0", c.SubscriptionBuffer))
	}
	return errors.Join(errs...)
}

// quicPorts are the UDP ports of the QUIC listen addresses (0 left out).
func quicPorts(addrs []string) []int {
	var out []int
	for _, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			continue
		}
		if v, err := m.ValueForProtocol(ma.P_UDP); err == nil {
			if p, _ := strconv.Atoi(v); p > 0 {
				out = append(out, p)
			}
		}
	}
	return out
}
