package chain

import (
	"context"
	"fmt"
	"log/slog"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// Backend is what this package needs of a JSON-RPC connection. *ethclient.Client
// and the simulated backend's client both satisfy it.
type Backend interface {
	bind.ContractBackend
	bind.BlockHashContractCaller
	ChainID(ctx context.Context) (*big.Int, error)
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
}

// headSubscriber is implemented by backends that can push new heads (WebSocket,
// in-process). The view then wakes on each head instead of waiting for its poll.
type headSubscriber interface {
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error)
}

var _ Backend = (*ethclient.Client)(nil)

// DialOption configures Dial.
type DialOption func(*dialConfig)

type dialConfig struct {
	attempts   int
	minBackoff time.Duration
	maxBackoff time.Duration
	timeout    time.Duration
	log        *slog.Logger
}

// WithDialAttempts bounds the number of connection attempts (0: until ctx ends).
func WithDialAttempts(n int) DialOption { return func(c *dialConfig) { c.attempts = n } }

// WithDialBackoff sets the first and the largest wait between attempts.
func WithDialBackoff(min, max time.Duration) DialOption {
	return func(c *dialConfig) { c.minBackoff, c.maxBackoff = min, max }
}

// WithDialLogger sets the logger for retries.
func WithDialLogger(l *slog.Logger) DialOption { return func(c *dialConfig) { c.log = l } }

// Dial connects to a JSON-RPC endpoint over HTTP(S) or WebSocket, retrying with
// exponential backoff until the endpoint answers eth_chainId, and checks that the
// chain ID is wantChainID (0 skips the check). A chain ID mismatch is not retried.
func Dial(ctx context.Context, url string, wantChainID uint64, opts ...DialOption) (*ethclient.Client, error) {
	cfg := dialConfig{attempts: 5, minBackoff: 250 * time.Millisecond, maxBackoff: 10 * time.Second, timeout: 10 * time.Second, log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	b := newBackoff(cfg.minBackoff, cfg.maxBackoff)
	var lastErr error
	for attempt := 1; cfg.attempts == 0 || attempt <= cfg.attempts; attempt++ {
		c, id, err := dialOnce(ctx, url, cfg.timeout)
		if err == nil {
			if wantChainID != 0 && id != wantChainID {
				c.Close()
				return nil, fmt.Errorf("rpc %s serves chain ID %d, the network expects %d: point rpc_url at the right chain", url, id, wantChainID)
			}
			return c, nil
		}
		lastErr = err
		if ctx.Err() != nil || attempt == cfg.attempts {
			break
		}
		wait := b.next()
		cfg.log.Debug("rpc not reachable, retrying", "url", url, "attempt", attempt, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	return nil, fmt.Errorf("connect to rpc %s: %w (is the Ethereum node running and rpc_url right?)", url, lastErr)
}

func dialOnce(ctx context.Context, url string, timeout time.Duration) (*ethclient.Client, uint64, error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rc, err := rpc.DialContext(dctx, url)
	if err != nil {
		return nil, 0, err
	}
	c := ethclient.NewClient(rc)
	id, err := c.ChainID(dctx)
	if err != nil {
		c.Close()
		return nil, 0, err
	}
	if !id.IsUint64() {
		c.Close()
		return nil, 0, fmt.Errorf("chain ID %s out of range", id)
	}
	return c, id.Uint64(), nil
}

// backoff is exponential with full jitter between min and max.
type backoff struct {
	min, max, cur time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	return b.cur/2 + rand.N(b.cur/2+1)
}

func (b *backoff) reset() { b.cur = 0 }
