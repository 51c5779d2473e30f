package p2p

import (
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"validator/internal/settings"
)

// NetworkSection is the [network] section of validator.toml: seed 000's
// section plus discovery tuning. FromSections lays it over DefaultConfig.
type NetworkSection struct {
	ListenAddrs       []string          `toml:"listen_addrs" comment:"Multiaddrs to listen on: QUIC first, TCP fallback."`
	ExternalAddrs     []string          `toml:"external_addrs" comment:"Multiaddrs to announce in addition to the listen addresses."`
	MaxConnections    int               `toml:"max_connections" comment:"Connection cap (connection manager high water and resource manager limit)."`
	TargetPeers       int               `toml:"target_peers" comment:"Registered peers discovery keeps connected."`
	IdleTimeout       settings.Duration `toml:"idle_timeout" comment:"Close connections that carried no stream for this long."`
	BootstrapPeers    []string          `toml:"bootstrap_peers" comment:"Static peers (/.../p2p/<peer ID>) dialled at start; they must be registered too."`
	HeartbeatInterval settings.Duration `toml:"heartbeat_interval" comment:"How often this node gossips its current addresses; in a network of over 100 nodes, members x 100 ms."`
	AddrExpiry        settings.Duration `toml:"addr_expiry" comment:"Forget a peer's gossiped addresses after this much silence; grows with the heartbeat interval."`
	DHTRefresh        settings.Duration `toml:"dht_refresh" comment:"Kademlia routing-table refresh period."`

	// Local-network discovery (p2p/mdns.go).
	MDNS bool `toml:"mdns" comment:"Find peers on the local network by multicast DNS (LAN and lab setups); found peers are dialled only if registered."`

	// Node Discovery v5 (p2p/discv5.go).
	Discv5          bool     `toml:"discv5" comment:"Find peers by discv5 with an ENR signed by the node key; only registered nodes of this network are dialled."`
	Discv5Port      int      `toml:"discv5_port" comment:"UDP port of discv5; not a QUIC listen port."`
	Discv5Bootnodes []string `toml:"discv5_bootnodes" comment:"ENRs (enr:...) discv5 starts from, e.g. other validators' (validator logs its own at start)."`
}

// GossipSection is the [gossip] section of validator.toml: gossip validation
// bounds.
type GossipSection struct {
	MaxMessageBytes   int               `toml:"max_message_bytes" comment:"Size cap of an envelope on every topic but heartbeats."`
	HeartbeatMaxBytes int               `toml:"heartbeat_max_bytes" comment:"Size cap of a heartbeat envelope."`
	MaxAge            settings.Duration `toml:"max_age" comment:"Envelopes older than this are ignored."`
	MaxSkew           settings.Duration `toml:"max_skew" comment:"Envelopes further than this in the future are ignored."`
	PeerMsgRate       int               `toml:"peer_msg_rate" comment:"Messages per second validated from one peer; beyond it (after peer_msg_burst) they are ignored, not penalised."`
	PeerMsgBurst      int               `toml:"peer_msg_burst" comment:"Burst of messages one peer may send above peer_msg_rate."`
	// Snappy compression (issue 15).
	CompressMinBytes int `toml:"compress_min_bytes" comment:"Send payloads of at least this many bytes snappy-compressed when that is shorter; 0 never compresses. Turn on only once every node of the network accepts compressed envelopes (docs/protocol.md section 11)."`
}

// DefaultNetworkSection holds the defaults of [network]; DefaultConfig takes
// its values from here.
func DefaultNetworkSection() NetworkSection {
	return NetworkSection{
		ListenAddrs:       []string{"/ip4/0.0.0.0/udp/9000/quic-v1", "/ip4/0.0.0.0/tcp/9000"},
		MaxConnections:    64,
		TargetPeers:       16,
		IdleTimeout:       settings.Duration(5 * time.Minute),
		HeartbeatInterval: settings.Duration(10 * time.Second),
		AddrExpiry:        settings.Duration(time.Minute),
		DHTRefresh:        settings.Duration(10 * time.Minute),
		Discv5Port:        DefaultDiscv5Port,
	}
}

// DefaultGossipSection holds the defaults of [gossip]: those of
// DefaultValidatorConfig and the per-peer rate bound.
func DefaultGossipSection() GossipSection {
	return GossipSection{
		MaxMessageBytes:   DefaultMaxEnvelopeSize,
		HeartbeatMaxBytes: DefaultHeartbeatMaxSize,
		MaxAge:            settings.Duration(DefaultMaxAge),
		MaxSkew:           settings.Duration(DefaultMaxSkew),
		PeerMsgRate:       DefaultPeerMessageRate,
		PeerMsgBurst:      DefaultPeerMessageBurst,
	}
}

// Probing is the probe part of the [liveness] section, which reputation/
// owns (p2p imports neither reputation/ nor store/): ping every registered
// peer every interval, count an answer later than timeout as a miss, and
// close the connections of a peer that missed offlineAfter pings in a row.
type Probing interface {
	Probe() (interval, timeout time.Duration, offlineAfter int)
}

// FromSections is the service's configuration for network from the file's
// sections: DefaultConfig with every key of [network], [gossip] and the
// probing of [liveness] laid over it. The caller adds what no file sets:
// ChainID, Registry, Version, the hooks, Logger and Registerer.
func FromSections(network string, n NetworkSection, g GossipSection, probe Probing) Config {
	c := DefaultConfig(network)
	n.apply(&c)
	g.apply(&c)
	c.PingInterval, c.PingTimeout, c.CloseAfterMisses = probe.Probe()
	return c
}

func (s NetworkSection) apply(c *Config) {
	c.ListenAddrs, c.ExternalAddrs, c.BootstrapPeers = s.ListenAddrs, s.ExternalAddrs, s.BootstrapPeers
	c.MaxConnections, c.TargetPeers, c.IdleTimeout = s.MaxConnections, s.TargetPeers, s.IdleTimeout.D()
	c.HeartbeatInterval, c.AddrExpiry, c.DHTRefresh = s.HeartbeatInterval.D(), s.AddrExpiry.D(), s.DHTRefresh.D()
	c.MDNS = s.MDNS
	c.Discv5, c.Discv5Port, c.Discv5Bootnodes = s.Discv5, s.Discv5Port, s.Discv5Bootnodes
}

func (s GossipSection) apply(c *Config) {
	c.Validation = ValidatorConfig{
		Network:        c.Network,
		DefaultMaxSize: s.MaxMessageBytes,
		MaxSize:        map[string]int{TopicHeartbeats: s.HeartbeatMaxBytes},
		MaxAge:         s.MaxAge.D(),
		MaxSkew:        s.MaxSkew.D(),
	}
	c.PeerMessageRate, c.PeerMessageBurst = s.PeerMsgRate, s.PeerMsgBurst
	c.CompressMinBytes = s.CompressMinBytes
}

// Problems reports every invalid value of [network] under its dotted key.
func (s NetworkSection) Problems() settings.Problems {
	var ps settings.Problems
	def := DefaultNetworkSection()
	if len(s.ListenAddrs) == 0 {
		ps.Add("network.listen_addrs", "must list at least one multiaddr, such as %q", def.ListenAddrs[0])
	}
	for _, list := range []struct {
		key   string
		addrs []string
	}{{"network.listen_addrs", s.ListenAddrs}, {"network.external_addrs", s.ExternalAddrs}} {
		for i, a := range list.addrs {
			key := fmt.Sprintf("%s[%d]", list.key, i)
			m, err := ma.NewMultiaddr(a)
			if err != nil {
				ps.Add(key, "%q is not a multiaddr (%v); write e.g. %q", a, err, "/ip4/0.0.0.0/tcp/9000")
				continue
			}
			if _, err := m.ValueForProtocol(ma.P_P2P); err == nil {
				ps.Add(key, "%q must not end in /p2p/<peer ID>: this node's ID comes from keys.node_key", a)
			}
		}
	}
	for i, a := range s.BootstrapPeers {
		key := fmt.Sprintf("network.bootstrap_peers[%d]", i)
		const example = "/ip4/203.0.113.7/udp/9000/quic-v1/p2p/16Uiu2HAm..."
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			ps.Add(key, "%q is not a multiaddr (%v); write e.g. %q", a, err, example)
			continue
		}
		info, err := peer.AddrInfoFromP2pAddr(m)
		switch {
		case err != nil:
			ps.Add(key, "%q has no /p2p/<peer ID>; append the peer's ID, e.g. %q", a, example)
		case len(info.Addrs) == 0:
			ps.Add(key, "%q has no address before /p2p/; write the full address, e.g. %q", a, example)
		}
	}
	if s.MaxConnections < 2 {
		ps.Add("network.max_connections", "%d must be at least 2, such as %d", s.MaxConnections, def.MaxConnections)
	}
	if s.TargetPeers < 1 || s.TargetPeers > max(s.MaxConnections, 1) {
		ps.Add("network.target_peers", "%d must be between 1 and network.max_connections (%d)", s.TargetPeers, s.MaxConnections)
	}
	ps.Positive("network.idle_timeout", s.IdleTimeout, def.IdleTimeout)
	ps.Positive("network.heartbeat_interval", s.HeartbeatInterval, def.HeartbeatInterval)
	ps.Positive("network.addr_expiry", s.AddrExpiry, def.AddrExpiry)
	if s.HeartbeatInterval > 0 && s.AddrExpiry > 0 && s.AddrExpiry <= s.HeartbeatInterval {
		ps.Add("network.addr_expiry", "%q must be longer than network.heartbeat_interval (%q), or addresses expire between heartbeats; a few heartbeats, such as %q",
			s.AddrExpiry.String(), s.HeartbeatInterval.String(), (6 * s.HeartbeatInterval).String())
	}
	ps.Positive("network.dht_refresh", s.DHTRefresh, def.DHTRefresh)
	switch {
	case s.Discv5Port < 1 || s.Discv5Port > 65535:
		ps.Add("network.discv5_port", "%d must be a UDP port, 1 … 65535, such as %d", s.Discv5Port, def.Discv5Port)
	case s.Discv5 && slices.Contains(quicPorts(s.ListenAddrs), s.Discv5Port):
		ps.Add("network.discv5_port", "%d is the UDP port of a QUIC listen address in network.listen_addrs; pick another, such as %d", s.Discv5Port, s.Discv5Port+1)
	}
	for i, b := range s.Discv5Bootnodes {
		if _, err := ParseENRs([]string{b}); err != nil {
			ps.Add(fmt.Sprintf("network.discv5_bootnodes[%d]", i), "%v; copy another node's ENR from its log line \"discv5 listening\"", err)
		}
	}
	return ps
}

// MaxGossipBytes bounds gossip.max_message_bytes: gossip is for small
// messages, and every node buffers and forwards each one.
const MaxGossipBytes = 4 << 20

// Problems reports every invalid value of [gossip] under its dotted key.
func (s GossipSection) Problems() settings.Problems {
	var ps settings.Problems
	def := DefaultGossipSection()
	switch {
	case s.MaxMessageBytes <= 0:
		ps.Add("gossip.max_message_bytes", "%d must be a positive number of bytes, such as %d", s.MaxMessageBytes, def.MaxMessageBytes)
	case s.MaxMessageBytes > MaxGossipBytes:
		ps.Add("gossip.max_message_bytes", "%d is above the limit of %d bytes; gossip is for small messages, send bulk data by request/response", s.MaxMessageBytes, MaxGossipBytes)
	}
	switch {
	case s.HeartbeatMaxBytes <= 0:
		ps.Add("gossip.heartbeat_max_bytes", "%d must be a positive number of bytes, such as %d", s.HeartbeatMaxBytes, def.HeartbeatMaxBytes)
	case s.MaxMessageBytes > 0 && s.HeartbeatMaxBytes > s.MaxMessageBytes:
		ps.Add("gossip.heartbeat_max_bytes", "%d must not exceed gossip.max_message_bytes (%d)", s.HeartbeatMaxBytes, s.MaxMessageBytes)
	}
	ps.Positive("gossip.max_age", s.MaxAge, def.MaxAge)
	ps.Positive("gossip.max_skew", s.MaxSkew, def.MaxSkew)
	if s.PeerMsgRate <= 0 {
		ps.Add("gossip.peer_msg_rate", "%d must be a positive number of messages per second, such as %d", s.PeerMsgRate, def.PeerMsgRate)
	}
	if s.CompressMinBytes < 0 {
		ps.Add("gossip.compress_min_bytes", "%d must be 0 (never compress) or a number of bytes, such as 1024", s.CompressMinBytes)
	}
	if s.PeerMsgBurst < s.PeerMsgRate {
		ps.Add("gossip.peer_msg_burst", "%d must be at least gossip.peer_msg_rate (%d), such as %d", s.PeerMsgBurst, s.PeerMsgRate, 2*s.PeerMsgRate)
	}
	return ps
}
