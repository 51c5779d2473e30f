// Package doctor diagnoses a validator node from the outside: it reads the
// registry over the node's JSON-RPC endpoint and the running daemon's local
// API, dials the node's own listen addresses and every registered peer, and
// returns one verdict per check, each failure with the operator's next step.
// `validator doctor` prints them.
package doctor

import (
	"context"
	"crypto/ecdsa"
	"log/slog"
	"time"

	"validator/api"
	"validator/chain"
	"validator/node"
	"validator/p2p"
)

// Status is a check's verdict.
type Status string

const (
	// OK: the check passed.
	OK Status = "ok"
	// Warn: the node works, but something needs the operator's attention.
	Warn Status = "warn"
	// Fail: the node, or part of it, does not work; Next says what to do.
	Fail Status = "fail"
	// Skip: the check could not run because one it depends on failed, or it
	// does not apply (Detail says which).
	Skip Status = "skip"
)

// Result is one check's verdict: the JSON array `validator doctor --json`
// prints. Check names are stable: a fixed name, or a fixed prefix and a
// subject ("listen:<multiaddr>", "peer:<node ID>:quic").
type Result struct {
	Check  string `json:"check"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	// Next is the operator's next step (empty for ok).
	Next string `json:"next"`
}

// Failed reports whether any result is a failure.
func Failed(rs []Result) bool {
	for _, r := range rs {
		if r.Status == Fail {
			return true
		}
	}
	return false
}

// Config is what the doctor checks against: the node's configuration as the
// daemon reads it.
type Config struct {
	// Network is the resolved [chain] section.
	Network chain.Network
	// NodeKey is the node key (keys.node_key).
	NodeKey *ecdsa.PrivateKey
	// API is the daemon's API address (api.listen or --api).
	API string
	// ListenAddrs and ExternalAddrs are network.listen_addrs and
	// network.external_addrs.
	ListenAddrs, ExternalAddrs []string
	// Discv5 and Discv5Port are network.discv5 and network.discv5_port.
	Discv5     bool
	Discv5Port int
	// DataDir is store.data_dir.
	DataDir string
	// MinPeers is api.min_peers, used when /readyz does not say.
	MinPeers int
	// StallAfter is chain.stall_after.
	StallAfter time.Duration
	// HeartbeatInterval is network.heartbeat_interval: the clock skew check
	// listens for heartbeats a little longer than that.
	HeartbeatInterval time.Duration
	// MaxSkew is gossip.max_skew: envelopes further ahead are ignored.
	MaxSkew time.Duration
	// Timeout bounds each network operation (one dial, one handshake, one
	// RPC call). Default 5 s.
	Timeout time.Duration
	// MinFreeBytes and MinFreeRatio: the disk check warns below either
	// (default 1 GiB and 5 %); it fails below FailFreeBytes (default 100 MiB).
	MinFreeBytes  uint64
	MinFreeRatio  float64
	FailFreeBytes uint64
	// Logger receives debug logs (default: discarded).
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 10 * time.Second
	}
	if c.MaxSkew <= 0 {
		c.MaxSkew = p2p.DefaultMaxSkew
	}
	if c.MinFreeBytes == 0 {
		c.MinFreeBytes = 1 << 30
	}
	if c.MinFreeRatio == 0 {
		c.MinFreeRatio = 0.05
	}
	if c.FailFreeBytes == 0 {
		c.FailFreeBytes = 100 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// doctor holds what one run learnt so far; later checks build on earlier
// ones (the RPC connection, the daemon's status).
type doctor struct {
	cfg Config
	id  p2p.Identity

	backend chain.Backend // nil when the RPC endpoint is unreachable
	head    uint64
	params  *chain.Params
	self    *chain.Node // this node's registry entry, if registered

	client *api.Client
	status *api.Status // nil when the API is unreachable
	// networkMismatch: the daemon runs another network or key than the
	// configuration (node_network failed).
	networkMismatch bool
	peers           []api.Peer
}

// Run runs every check in a fixed order and returns their verdicts. It never
// fails as a whole: what cannot be checked is a failed or skipped verdict.
func Run(ctx context.Context, cfg Config) []Result {
	cfg.defaults()
	d := &doctor{cfg: cfg}
	var rs []Result
	id, err := p2p.NewIdentity(cfg.NodeKey)
	if err != nil {
		return []Result{{Check: "node_key", Status: Fail, Detail: err.Error(), Next: "check keys.node_key: it must hold a hex secp256k1 key (validator init makes one)"}}
	}
	d.id = id
	closeRPC := func() {}
	rs = append(rs, d.checkRPC(ctx, &closeRPC)...)
	defer closeRPC()
	reg := len(rs)
	rs = append(rs, d.checkRegistration(ctx)...)
	d.client = api.NewClient(cfg.API)
	defer d.client.Close()
	rs = append(rs, d.checkAPI(ctx)...)
	if p := d.pending(); p != nil {
		rs[reg] = *p
	}
	skew := d.startClockSkew(ctx)
	rs = append(rs, d.checkRegistrySync())
	rs = append(rs, d.checkListen(ctx)...)
	rs = append(rs, d.checkDiscv5())
	rs = append(rs, d.checkPeers(ctx)...)
	rs = append(rs, skew())
	rs = append(rs, d.checkPeerCount(ctx))
	rs = append(rs, d.checkDisk())
	rs = append(rs, d.checkSchema())
	return rs
}

// timeout is a context bounded by the per-operation timeout.
func (d *doctor) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.cfg.Timeout)
}

// FromConfig is the doctor's configuration for a node configured as cfg,
// with node key key, whose API answers at apiAddr ("" for cfg's api.listen).
func FromConfig(cfg node.Config, key *ecdsa.PrivateKey, apiAddr string) (Config, error) {
	n, err := cfg.Chain.Resolve()
	if err != nil {
		return Config{}, err
	}
	if apiAddr == "" {
		apiAddr = cfg.API.Listen
	}
	return Config{
		Network: n, NodeKey: key, API: apiAddr,
		ListenAddrs: cfg.Network.ListenAddrs, ExternalAddrs: cfg.Network.ExternalAddrs,
		Discv5: cfg.Network.Discv5, Discv5Port: cfg.Network.Discv5Port,
		DataDir: cfg.Store.DataDir, MinPeers: cfg.API.MinPeers, StallAfter: cfg.Chain.StallAfter.D(),
		HeartbeatInterval: cfg.Network.HeartbeatInterval.D(), MaxSkew: cfg.Gossip.MaxSkew.D(),
	}, nil
}
