package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"validator/chain"
	"validator/chain/devchain"
)

// DevnetOptions configure the embedded devnet.
type DevnetOptions struct {
	Validators int
	// RPCAddr serves the chain's JSON-RPC ("127.0.0.1:8545" for the devnet preset).
	RPCAddr string
	// Dir holds each validator's data directory.
	Dir string
	// P2PBasePort and APIBasePort: validator i listens on base+i (0: any port).
	P2PBasePort, APIBasePort int
	Logger                   *slog.Logger
	Version                  string
	// Tune adjusts each validator's configuration (tests shorten intervals).
	Tune func(i int, c *Config)
	// UnbondingPeriod of the registry (default DevnetUnbonding).
	UnbondingPeriod time.Duration
	// Accountability are the registry's offline-report parameters (zero
	// fields: DevnetAccountability's).
	Accountability chain.Accountability
}

// DevnetAccountability are the devnet registry's offline-report parameters:
// windows of 10 minutes, jailed at 3 minutes offline in one, reportable for
// an hour, jailed for 10 minutes, 1 % slashed, committees of 128.
var DevnetAccountability = chain.Accountability{
	ReportWindow:     10 * time.Minute,
	OfflineThreshold: 3 * time.Minute,
	ReportDeadline:   time.Hour,
	JailPeriod:       10 * time.Minute,
	SlashBps:         100,
	CommitteeSize:    128,
}

// DevnetCompressMinBytes is gossip.compress_min_bytes on devnet validators.
const DevnetCompressMinBytes = 256

// DevnetUnbonding is the devnet registry's default unbonding period.
const DevnetUnbonding = time.Minute

// DevnetFaucetBalance is what the devnet deployer account (chain.DevnetDeployerKey)
// holds at genesis; `validator devnet fund` pays from it.
var DevnetFaucetBalance = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(params.Ether))

// DevnetOperatorBalance is what each devnet operator account
// (chain.DevnetOperatorKey(i)) holds at genesis, before its validator stakes
// DevnetStake.
var DevnetOperatorBalance = new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))

// Devnet is a running embedded devnet: a dev chain with the registry at the
// devnet preset's address and N registered, running validators.
type Devnet struct {
	Chain    *devchain.Chain
	Registry common.Address
	Nodes    []*Node
}

// DevnetStake is what each devnet validator stakes.
var DevnetStake = new(big.Int).Mul(big.NewInt(32), big.NewInt(params.Ether))

// StartDevnet starts the chain, deploys the registry from the published devnet
// deployer key (so it lands where the devnet preset expects it), registers
// and starts the validators.
func StartDevnet(ctx context.Context, o DevnetOptions) (*Devnet, error) {
	if o.Validators < 1 || o.Validators > 64 {
		return nil, fmt.Errorf("validators %d: want 1..64", o.Validators)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	deployer := chain.NewKeySigner(chain.DevnetDeployerKey)
	if o.UnbondingPeriod == 0 {
		o.UnbondingPeriod = DevnetUnbonding
	}
	alloc := map[common.Address]*big.Int{deployer.Address: DevnetFaucetBalance}
	for i := range o.Validators {
		alloc[crypto.PubkeyToAddress(chain.DevnetOperatorKey(i).PublicKey)] = DevnetOperatorBalance
	}
	c, err := devchain.New(devchain.Config{Alloc: alloc, Automine: true, HTTPAddr: o.RPCAddr})
	if err != nil {
		return nil, fmt.Errorf("start dev chain (is %s free?): %w", o.RPCAddr, err)
	}
	d := &Devnet{Chain: c}
	fail := func(err error) (*Devnet, error) {
		d.Close(context.Background())
		return nil, err
	}
	backend := c.Client()
	addr, _, err := chain.Deploy(ctx, backend, deployer, chain.DeployParams{MinStake: DevnetStake, UnbondingPeriod: o.UnbondingPeriod, Accountability: o.Accountability.WithDefaults(DevnetAccountability)}, chain.WithReceiptPoll(10*time.Millisecond))
	if err != nil {
		return fail(err)
	}
	if addr != chain.Devnet.Registry {
		return fail(fmt.Errorf("registry deployed at %s, the devnet preset expects %s", addr, chain.Devnet.Registry))
	}
	d.Registry = addr
	o.Logger.Info("devnet chain up", "rpc", c.URL(), "chain_id", devchain.ChainID, "registry", addr)

	for i := range o.Validators {
		cfg := DefaultConfig()
		cfg.Chain.Network = "devnet"
		if u := c.URL(); u != "" {
			cfg.Chain.RPCURL = u
		}
		p2pPort, apiPort := 0, 0
		if o.P2PBasePort != 0 {
			p2pPort = o.P2PBasePort + i
		} else if p2pPort, err = freePort(); err != nil {
			return fail(err)
		}
		if o.APIBasePort != 0 {
			apiPort = o.APIBasePort + i
		}
		cfg.Network.ListenAddrs = []string{fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", p2pPort), fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", p2pPort)}
		cfg.Network.HeartbeatInterval = Duration(2 * time.Second)
		cfg.Liveness.PingInterval = Duration(2 * time.Second)
		cfg.Liveness.PingTimeout = Duration(time.Second)
		cfg.Liveness.SummaryInterval = Duration(10 * time.Second)
		cfg.API.Listen = fmt.Sprintf("127.0.0.1:%d", apiPort)
		// Devnet validators report from their operator accounts, attesting
		// soon after a window ends (summaries every 10 s).
		cfg.Accountability.Submit = true
		cfg.Accountability.Settle = Duration(20 * time.Second)
		cfg.Accountability.Backoff = Duration(10 * time.Second)
		cfg.Store.DataDir = filepath.Join(o.Dir, fmt.Sprintf("validator-%d", i))
		// Every devnet validator runs this release, so payloads of 256 bytes
		// and more go out snappy-compressed (off by default elsewhere: nodes
		// of earlier releases reject compressed envelopes).
		cfg.Gossip.CompressMinBytes = DevnetCompressMinBytes
		if o.Tune != nil {
			o.Tune(i, &cfg)
		}
		var operator *chain.Signer
		if cfg.Accountability.Submit {
			operator = chain.NewKeySigner(chain.DevnetOperatorKey(i))
		}
		n, err := New(Options{Config: cfg, NodeKey: chain.DevnetNodeKey(i), Version: o.Version, Logger: o.Logger.With("validator", i), Backend: backend, SyncTimeout: 30 * time.Second, Operator: operator})
		if err != nil {
			return fail(err)
		}
		d.Nodes = append(d.Nodes, n)
	}
	// Register every validator with the addresses it will listen on, then start.
	for i, n := range d.Nodes {
		tx, err := chain.NewTransactor(ctx, backend, addr, chain.NewKeySigner(chain.DevnetOperatorKey(i)), chain.WithReceiptPoll(10*time.Millisecond))
		if err != nil {
			return fail(err)
		}
		if _, _, err := tx.Register(ctx, chain.DevnetNodeKey(i), n.cfg.Network.ListenAddrs, fmt.Sprintf("devnet validator %d", i), DevnetStake); err != nil {
			return fail(fmt.Errorf("register devnet validator %d: %w", i, err))
		}
	}
	for i, n := range d.Nodes {
		if err := n.Start(ctx); err != nil {
			return fail(fmt.Errorf("start devnet validator %d: %w", i, err))
		}
	}
	return d, nil
}

// Close stops the validators and then the chain.
func (d *Devnet) Close(ctx context.Context) error {
	var errs []error
	for i := len(d.Nodes) - 1; i >= 0; i-- {
		errs = append(errs, d.Nodes[i].Close(ctx))
	}
	if d.Chain != nil {
		errs = append(errs, d.Chain.Close())
	}
	return errors.Join(errs...)
}

// freePort finds a TCP port nobody listens on (the same UDP port carries QUIC).
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
