// Package devchain runs an in-process Ethereum chain (go-ethereum's dev-mode
// engine, the same one behind `geth --dev` and the simulated backend) for the
// embedded devnet and for tests. It can serve JSON-RPC over HTTP and WebSocket,
// mine a block as soon as a transaction arrives, or be driven block by block
// (Commit, Fork, AdjustTime) to stage reorgs.
package devchain

import (
	"errors"
	"fmt"
	"maps"
	"math/big"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// ChainID is the chain ID of every dev chain (as geth --dev).
const ChainID = 1337

// Config configures a dev chain.
type Config struct {
	// Alloc funds accounts at genesis.
	Alloc map[common.Address]*big.Int
	// HTTPAddr, if set ("127.0.0.1:8545", or port 0 for any), serves JSON-RPC
	// over HTTP and WebSocket on that address.
	HTTPAddr string
	// Automine mines a block whenever transactions are pending. Without it,
	// blocks are made only by Commit, Fork and AdjustTime.
	Automine bool
	// BlockGasLimit defaults to 60M.
	BlockGasLimit uint64
	// CallGasLimit caps eth_call gas; defaults to geth's 50M.
	CallGasLimit uint64
}

// Chain is a running dev chain.
type Chain struct {
	stack  *node.Node
	eth    *eth.Ethereum
	beacon *catalyst.SimulatedBeacon
	client *ethclient.Client
	mu     sync.Mutex
	closed bool
}

// New starts a dev chain.
func New(cfg Config) (*Chain, error) {
	nodeConf := node.DefaultConfig
	nodeConf.DataDir = ""
	nodeConf.P2P = p2p.Config{NoDiscovery: true, MaxPeers: 0}
	nodeConf.HTTPHost, nodeConf.WSHost = "", ""
	if cfg.HTTPAddr != "" {
		host, portStr, err := net.SplitHostPort(cfg.HTTPAddr)
		if err != nil {
			return nil, fmt.Errorf("dev chain rpc address %q: %w", cfg.HTTPAddr, err)
		}
		port, err := strconv.Atoi(portStr)
		if err != nil {
			return nil, fmt.Errorf("dev chain rpc port %q: %w", portStr, err)
		}
		nodeConf.HTTPHost, nodeConf.HTTPPort = host, port
		nodeConf.HTTPModules = []string{"eth", "net", "web3"}
		nodeConf.HTTPVirtualHosts = []string{"*"}
		nodeConf.HTTPCors = []string{"*"}
		// WebSocket shares the HTTP listener when the ports match.
		nodeConf.WSHost, nodeConf.WSPort = host, port
		nodeConf.WSModules = []string{"eth", "net", "web3"}
		nodeConf.WSOrigins = []string{"*"}
	}
	alloc := core.SystemContractAllocs()
	for a, bal := range cfg.Alloc {
		alloc[a] = types.Account{Balance: new(big.Int).Set(bal)}
	}
	gasLimit := cfg.BlockGasLimit
	if gasLimit == 0 {
		gasLimit = 60_000_000
	}
	ethConf := ethconfig.Defaults
	ethConf.Genesis = &core.Genesis{
		Config:   params.AllDevChainProtocolChanges,
		GasLimit: gasLimit,
		Alloc:    maps.Clone(alloc),
	}
	ethConf.Miner.GasCeil = gasLimit
	ethConf.SyncMode = ethconfig.FullSync
	ethConf.TxPool.NoLocals = true
	if cfg.CallGasLimit != 0 {
		ethConf.RPCGasCap = cfg.CallGasLimit
	}

	stack, err := node.New(&nodeConf)
	if err != nil {
		return nil, fmt.Errorf("dev chain node: %w", err)
	}
	backend, err := eth.New(stack, &ethConf)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("dev chain eth service: %w", err)
	}
	fs := filters.NewFilterSystem(backend.APIBackend, filters.Config{})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(fs)}})
	beacon, err := catalyst.NewSimulatedBeacon(0, common.Address{}, backend)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("dev chain beacon: %w", err)
	}
	if cfg.Automine {
		// The dev-mode API mines on every new transaction when the period is 0.
		catalyst.RegisterSimulatedBeaconAPIs(stack, beacon)
	}
	if err := stack.Start(); err != nil {
		stack.Close()
		return nil, fmt.Errorf("dev chain start: %w", err)
	}
	if err := beacon.Fork(backend.BlockChain().GetCanonicalHash(0)); err != nil {
		stack.Close()
		return nil, fmt.Errorf("dev chain genesis: %w", err)
	}
	return &Chain{stack: stack, eth: backend, beacon: beacon, client: ethclient.NewClient(stack.Attach())}, nil
}

// Client is an in-process client of the chain.
func (c *Chain) Client() *ethclient.Client { return c.client }

// URL is the HTTP JSON-RPC endpoint, or "" if the chain does not serve one.
func (c *Chain) URL() string { return c.stack.HTTPEndpoint() }

// WSURL is the WebSocket JSON-RPC endpoint, or "" if the chain does not serve one.
func (c *Chain) WSURL() string { return c.stack.WSEndpoint() }

// Commit seals a block with the pending transactions and returns its hash.
func (c *Chain) Commit() common.Hash { return c.beacon.Commit() }

// Fork makes parent the head, so that new blocks build a side chain; it becomes
// canonical (a reorg) once it is longer than the old one.
func (c *Chain) Fork(parent common.Hash) error { return c.beacon.Fork(parent) }

// AdjustTime seals an empty block d later than the head.
func (c *Chain) AdjustTime(d time.Duration) error { return c.beacon.AdjustTime(d) }

// Head is the current head block number.
func (c *Chain) Head() uint64 { return c.eth.BlockChain().CurrentBlock().Number.Uint64() }

// Close stops the chain. It is idempotent.
func (c *Chain) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	c.client.Close()
	return errors.Join(c.beacon.Stop(), c.stack.Close())
}
