package node

import (
	"validator/accountability"
	"validator/api"
	"validator/chain"
	"validator/internal/settings"
	"validator/p2p"
	"validator/reputation"
	"validator/store"
)

// Config is the daemon's configuration: the TOML file's shape. Durations are
// strings like "5s" in the file. cmd/validator loads it (flags > VALIDATOR_*
// environment > file > defaults); docs/configuration.md documents every key.
//
// Each section belongs to the package that uses it, with its defaults and
// its validation; node keeps [keys] and [log] and composes the rest.
type Config struct {
	Chain          ChainConfig          `toml:"chain" comment:"Which chain and registry the network lives on."`
	Keys           KeysConfig           `toml:"keys" comment:"The node key and the operator's staking account."`
	Network        NetworkConfig        `toml:"network" comment:"The libp2p network."`
	Gossip         GossipConfig         `toml:"gossip" comment:"Gossip validation bounds."`
	Liveness       LivenessConfig       `toml:"liveness" comment:"Peer liveness probing and classification."`
	Store          StoreConfig          `toml:"store" comment:"The evidence store."`
	API            APIConfig            `toml:"api" comment:"The local HTTP API (metrics, health, peers, publish/subscribe)."`
	Accountability AccountabilityConfig `toml:"accountability" comment:"Offline attestations and reports to the registry."`
	Log            LogConfig            `toml:"log" comment:"Logging."`
}

// The sections owned by other packages, under the names node has always
// given them.
type (
	ChainConfig    = chain.Section
	NetworkConfig  = p2p.NetworkSection
	GossipConfig   = p2p.GossipSection
	LivenessConfig = reputation.LivenessSection
	StoreConfig    = store.Section
	APIConfig      = api.Section
)

// KeysConfig locates keys. Paths are relative to the config file's directory.
type KeysConfig struct {
	NodeKey          string `toml:"node_key" path:"true" comment:"File holding the hex secp256k1 node key (libp2p identity, gossip signer, registered key)."`
	OperatorKeystore string `toml:"operator_keystore" path:"true" comment:"go-ethereum V3 keystore of the staking account (registry commands only)."`
	PassphraseFile   string `toml:"passphrase_file" path:"true" comment:"File with the keystore passphrase; or set VALIDATOR_KEYS_PASSPHRASE."`
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `toml:"level" comment:"debug, info, warn or error."`
	Format string `toml:"format" comment:"text or json."`
}

// DefaultConfig is the configuration before any file, environment or flag.
func DefaultConfig() Config {
	return Config{
		Chain:          chain.DefaultSection(),
		Keys:           KeysConfig{NodeKey: "node.key", OperatorKeystore: "operator.json"},
		Network:        p2p.DefaultNetworkSection(),
		Gossip:         p2p.DefaultGossipSection(),
		Liveness:       reputation.DefaultLivenessSection(),
		Store:          store.DefaultSection(),
		API:            api.DefaultSection(),
		Accountability: accountability.DefaultSection(),
		Log:            LogConfig{Level: "info", Format: "text"},
	}
}

// Duration is a time.Duration written as "5s" in TOML.
type Duration = settings.Duration
