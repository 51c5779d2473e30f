package node

import (
	"time"

	"validator/p2p"
)

// Config is the daemon's configuration: the TOML file's shape. Durations are
// strings like "5s" in the file. cmd/validator loads it (flags > VALIDATOR_*
// environment > file > defaults); docs/configuration.md documents every key.
type Config struct {
	Chain    ChainConfig    `toml:"chain" comment:"Which chain and registry the network lives on."`
	Keys     KeysConfig     `toml:"keys" comment:"The node key and the operator's staking account."`
	Network  NetworkConfig  `toml:"network" comment:"The libp2p network."`
	Gossip   GossipConfig   `toml:"gossip" comment:"Gossip validation bounds."`
	Liveness LivenessConfig `toml:"liveness" comment:"Peer liveness probing and classification."`
	Store    StoreConfig    `toml:"store" comment:"The evidence store."`
	API      APIConfig      `toml:"api" comment:"The local HTTP API (metrics, health, peers, publish/subscribe)."`
	Log      LogConfig      `toml:"log" comment:"Logging."`
}

// ChainConfig selects the network preset and overrides its fields.
type ChainConfig struct {
	// Network is a preset name ("devnet") or the name of a custom network,
	// which then needs chain_id, rpc_url and registry.
	Network       string   `toml:"network" comment:"Preset name (devnet) or a custom network name."`
	RPCURL        string   `toml:"rpc_url" comment:"Ethereum JSON-RPC endpoint (http, https, ws, wss). Empty: the preset's."`
	ChainID       uint64   `toml:"chain_id" comment:"Expected chain ID. 0: the preset's."`
	Registry      string   `toml:"registry" comment:"NodeRegistry contract address. Empty: the preset's."`
	Confirmations uint64   `toml:"confirmations" comment:"Follow the registry this many blocks behind the head."`
	Finalized     bool     `toml:"finalized" comment:"Follow the chain's finalized block instead of a fixed depth."`
	StallAfter    Duration `toml:"stall_after" comment:"/readyz fails when no registry sync round (RPC call) has succeeded for this long."`
}

// KeysConfig locates keys. Paths are relative to the config file's directory.
type KeysConfig struct {
	NodeKey          string `toml:"node_key" comment:"File holding the hex secp256k1 node key (libp2p identity, gossip signer, registered key)."`
	OperatorKeystore string `toml:"operator_keystore" comment:"go-ethereum V3 keystore of the staking account (registry commands only)."`
	PassphraseFile   string `toml:"passphrase_file" comment:"File with the keystore passphrase; or set VALIDATOR_KEYS_PASSPHRASE."`
}

// NetworkConfig is seed 000's [network] section plus discovery tuning.
type NetworkConfig struct {
	ListenAddrs       []string `toml:"listen_addrs" comment:"Multiaddrs to listen on: QUIC first, TCP fallback."`
	ExternalAddrs     []string `toml:"external_addrs" comment:"Multiaddrs to announce in addition to the listen addresses."`
	MaxConnections    int      `toml:"max_connections" comment:"Connection cap (connection manager high water and resource manager limit)."`
	TargetPeers       int      `toml:"target_peers" comment:"Registered peers discovery keeps connected."`
	IdleTimeout       Duration `toml:"idle_timeout" comment:"Close connections that carried no stream for this long."`
	BootstrapPeers    []string `toml:"bootstrap_peers" comment:"Static peers (/.../p2p/<peer ID>) dialled at start; they must be registered too."`
	HeartbeatInterval Duration `toml:"heartbeat_interval" comment:"How often this node gossips its current addresses; in a network of over 100 nodes, members x 100 ms."`
	AddrExpiry        Duration `toml:"addr_expiry" comment:"Forget a peer's gossiped addresses after this much silence; grows with the heartbeat interval."`
	DHTRefresh        Duration `toml:"dht_refresh" comment:"Kademlia routing-table refresh period."`
}

// GossipConfig bounds gossip messages.
type GossipConfig struct {
	MaxMessageBytes   int      `toml:"max_message_bytes" comment:"Size cap of an envelope on every topic but heartbeats."`
	HeartbeatMaxBytes int      `toml:"heartbeat_max_bytes" comment:"Size cap of a heartbeat envelope."`
	MaxAge            Duration `toml:"max_age" comment:"Envelopes older than this are ignored."`
	MaxSkew           Duration `toml:"max_skew" comment:"Envelopes further than this in the future are ignored."`
	PeerMsgRate       int      `toml:"peer_msg_rate" comment:"Messages per second validated from one peer; beyond it (after peer_msg_burst) they are ignored, not penalised."`
	PeerMsgBurst      int      `toml:"peer_msg_burst" comment:"Burst of messages one peer may send above peer_msg_rate."`
}

// LivenessConfig drives probing and the liveness states.
type LivenessConfig struct {
	PingInterval    Duration `toml:"ping_interval" comment:"Probe every registered peer this often (with jitter)."`
	PingTimeout     Duration `toml:"ping_timeout" comment:"A ping unanswered for this long is a miss."`
	SlowRTT         Duration `toml:"slow_rtt" comment:"RTT moving average above which a peer is Slow (never penalised)."`
	OfflineAfter    int      `toml:"offline_after" comment:"Consecutive failed probes that make a peer Offline."`
	SummaryInterval Duration `toml:"summary_interval" comment:"Evidence summary interval per peer."`
}

// StoreConfig places the evidence store.
type StoreConfig struct {
	DataDir   string   `toml:"data_dir" comment:"Data directory; the Badger store lives in <data_dir>/db."`
	Retention Duration `toml:"retention" comment:"Keep evidence this long."`
}

// APIConfig configures the local HTTP API.
type APIConfig struct {
	Listen       string `toml:"listen" comment:"Address of the local API; keep it on loopback."`
	MinPeers     int    `toml:"min_peers" comment:"/readyz needs at least this many connected registered peers."`
	MaxBodyBytes int64  `toml:"max_body_bytes" comment:"Largest request body (publish) accepted."`
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `toml:"level" comment:"debug, info, warn or error."`
	Format string `toml:"format" comment:"text or json."`
}

// DefaultConfig is the configuration before any file, environment or flag.
func DefaultConfig() Config {
	return Config{
		Chain: ChainConfig{Network: "devnet", StallAfter: Duration(2 * time.Minute)},
		Keys:  KeysConfig{NodeKey: "node.key", OperatorKeystore: "operator.json"},
		Network: NetworkConfig{
			ListenAddrs:       []string{"/ip4/0.0.0.0/udp/9000/quic-v1", "/ip4/0.0.0.0/tcp/9000"},
			MaxConnections:    64,
			TargetPeers:       16,
			IdleTimeout:       Duration(5 * time.Minute),
			HeartbeatInterval: Duration(10 * time.Second),
			AddrExpiry:        Duration(time.Minute),
			DHTRefresh:        Duration(10 * time.Minute),
		},
		Gossip: GossipConfig{
			MaxMessageBytes:   64 << 10,
			HeartbeatMaxBytes: 4 << 10,
			MaxAge:            Duration(2 * time.Minute),
			MaxSkew:           Duration(10 * time.Second),
			PeerMsgRate:       p2p.DefaultPeerMessageRate,
			PeerMsgBurst:      p2p.DefaultPeerMessageBurst,
		},
		Liveness: LivenessConfig{
			PingInterval:    Duration(10 * time.Second),
			PingTimeout:     Duration(5 * time.Second),
			SlowRTT:         Duration(500 * time.Millisecond),
			OfflineAfter:    3,
			SummaryInterval: Duration(time.Minute),
		},
		Store: StoreConfig{DataDir: "data", Retention: Duration(30 * 24 * time.Hour)},
		API:   APIConfig{Listen: "127.0.0.1:7400", MinPeers: 1, MaxBodyBytes: 1 << 20},
		Log:   LogConfig{Level: "info", Format: "text"},
	}
}

// Duration is a time.Duration written as "5s" in TOML.
type Duration time.Duration

// D is the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
