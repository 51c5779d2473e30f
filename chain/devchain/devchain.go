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
	"github.com/ethereum/go-ethereum/core/txpool"
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
	// Rules, if set, replaces the fork rules (default
	// params.AllDevChainProtocolChanges, every fork up to Bogota, which prices
	// state creation by EIP-8037); its chain ID must be ChainID.
	Rules *params.ChainConfig
}

// Chain is a running dev chain.
type Chain struct {
	stack  *node.Node
	eth    *eth.Ethereum
	beacon *catalyst.SimulatedBeacon
	client *ethclient.Client
	// seal serializes block production (automine, Commit, Fork, AdjustTime):
	// the simulated beacon must not seal two blocks at once, and the txpool sync
	// it runs for each block wakes only one of concurrent waiters.
	seal   sync.Mutex
	quit   chan struct{}
	loops  sync.WaitGroup
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
	rules := params.AllDevChainProtocolChanges
	if cfg.Rules != nil {
		if cfg.Rules.ChainID == nil || cfg.Rules.ChainID.Cmp(rules.ChainID) != 0 {
			return nil, fmt.Errorf("dev chain rules: chain ID %v, want %d", cfg.Rules.ChainID, ChainID)
		}
		rules = cfg.Rules
	}
	ethConf := ethconfig.Defaults
	ethConf.Genesis = &core.Genesis{
		Config:   rules,
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
	if err := stack.Start(); err != nil {
		stack.Close()
		return nil, fmt.Errorf("dev chain start: %w", err)
	}
	if err := beacon.Fork(backend.BlockChain().GetCanonicalHash(0)); err != nil {
		stack.Close()
		return nil, fmt.Errorf("dev chain genesis: %w", err)
	}
	c := &Chain{stack: stack, eth: backend, beacon: beacon, client: ethclient.NewClient(stack.Attach()), quit: make(chan struct{})}
	if cfg.Automine {
		c.automine()
	}
	return c, nil
}

// automine seals blocks whenever the pool holds executable transactions. It
// stands in for geth's dev-mode API loop, which seals concurrently with
// Commit, Fork and AdjustTime and can leave either side waiting forever.
func (c *Chain) automine() {
	pool := c.eth.TxPool()
	txs := make(chan core.NewTxsEvent, 16)
	sub := pool.SubscribeTransactions(txs, true)
	wake := make(chan struct{}, 1)
	c.loops.Add(2)
	// Drain the events apart from sealing: the pool must never block on them
	// while a block is being sealed.
	go func() {
		defer c.loops.Done()
		defer sub.Unsubscribe()
		for {
			select {
			case <-c.quit:
				return
			case <-sub.Err():
				return
			case <-txs:
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}
	}()
	go func() {
		defer c.loops.Done()
		for {
			select {
			case <-c.quit:
				return
			case <-wake:
			}
			c.sealPending(pool)
		}
	}()
}

// sealPending seals blocks until no executable transaction is left or the
// chain closes. It lets go of the seal between blocks, so that a transaction
// the miner never includes cannot keep Commit and AdjustTime waiting.
func (c *Chain) sealPending(pool *txpool.TxPool) {
	for {
		c.seal.Lock()
		c.beacon.Commit()
		err := pool.Sync()
		c.seal.Unlock()
		if err != nil {
			return
		}
		if executable, _ := pool.Stats(); executable == 0 {
			return
		}
		select {
		case <-c.quit:
			return
		default:
		}
	}
}

// Client is an in-process client of the chain.
func (c *Chain) Client() *ethclient.Client { return c.client }

// URL is the HTTP JSON-RPC endpoint, or "" if the chain does not serve one.
func (c *Chain) URL() string { return c.stack.HTTPEndpoint() }

// WSURL is the WebSocket JSON-RPC endpoint, or "" if the chain does not serve one.
func (c *Chain) WSURL() string { return c.stack.WSEndpoint() }

// Commit seals a block with the pending transactions and returns its hash.
func (c *Chain) Commit() common.Hash {
	c.seal.Lock()
	defer c.seal.Unlock()
	return c.beacon.Commit()
}

// Fork makes parent the head, so that new blocks build a side chain; it becomes
// canonical (a reorg) once it is longer than the old one.
func (c *Chain) Fork(parent common.Hash) error {
	c.seal.Lock()
	defer c.seal.Unlock()
	return c.beacon.Fork(parent)
}

// AdjustTime seals an empty block d later than the head.
func (c *Chain) AdjustTime(d time.Duration) error {
	c.seal.Lock()
	defer c.seal.Unlock()
	return c.beacon.AdjustTime(d)
}

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
	close(c.quit)
	c.loops.Wait()
	c.client.Close()
	return errors.Join(c.beacon.Stop(), c.stack.Close())
}
