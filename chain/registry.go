package chain

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	regabi "validator/abi"
)

var (
	// ErrNoRegistry: there is no contract at the registry address.
	ErrNoRegistry = errors.New("no NodeRegistry contract at the registry address")
	// ErrLagged closes a subscription whose reader fell too far behind.
	ErrLagged = errors.New("subscriber fell behind; re-read Active() and subscribe again")
	// ErrClosed: the registry view has stopped.
	ErrClosed = errors.New("registry view closed")
)

// RegistryOption configures a Registry.
type RegistryOption func(*registryConfig)

type registryConfig struct {
	confirmations uint64
	finalized     bool
	pageSize      uint64
	poll          time.Duration
	maxLogRange   uint64
	maxNodes      uint64
	subBuffer     int
	minBackoff    time.Duration
	maxBackoff    time.Duration
	callTimeout   time.Duration
	fetchers      int
	log           *slog.Logger
	reg           prometheus.Registerer
}

func defaultRegistryConfig() registryConfig {
	return registryConfig{
		pageSize:    MaxPage,
		poll:        2 * time.Second,
		maxLogRange: 2000,
		maxNodes:    100_000,
		subBuffer:   4096,
		minBackoff:  500 * time.Millisecond,
		maxBackoff:  30 * time.Second,
		callTimeout: 30 * time.Second,
		fetchers:    4,
		log:         slog.Default(),
	}
}

func (c registryConfig) validate() error {
	switch {
	case c.pageSize == 0 || c.pageSize > MaxPage:
		return fmt.Errorf("page size %d: want 1..%d", c.pageSize, MaxPage)
	case c.poll <= 0:
		return fmt.Errorf("poll interval %s: want > 0", c.poll)
	case c.maxLogRange == 0:
		return errors.New("max log range: want > 0")
	case c.maxNodes == 0:
		return errors.New("max nodes: want > 0")
	case c.fetchers <= 0:
		return fmt.Errorf("page fetchers %d: want > 0", c.fetchers)
	case c.subBuffer <= 0:
		return fmt.Errorf("subscription buffer %d: want > 0", c.subBuffer)
	case c.minBackoff <= 0 || c.maxBackoff < c.minBackoff:
		return fmt.Errorf("backoff %s..%s: want 0 < min <= max", c.minBackoff, c.maxBackoff)
	}
	return nil
}

// WithConfirmations follows the chain n blocks behind the head.
func WithConfirmations(n uint64) RegistryOption {
	return func(c *registryConfig) { c.confirmations = n }
}

// WithFinalized follows the chain's "finalized" block instead of a fixed depth.
func WithFinalized() RegistryOption { return func(c *registryConfig) { c.finalized = true } }

// WithNetwork applies a network's finality settings.
func WithNetwork(n Network) RegistryOption {
	return func(c *registryConfig) { c.confirmations, c.finalized = n.Confirmations, n.Finalized }
}

// WithPageSize sets how many nodes each getNodes call asks for (1..MaxPage).
func WithPageSize(n uint64) RegistryOption { return func(c *registryConfig) { c.pageSize = n } }

// WithPollInterval sets how often the head is polled when the backend cannot push heads.
func WithPollInterval(d time.Duration) RegistryOption { return func(c *registryConfig) { c.poll = d } }

// WithPageFetchers sets how many getNodes pages a snapshot reads at once.
func WithPageFetchers(n int) RegistryOption { return func(c *registryConfig) { c.fetchers = n } }

// WithMaxLogRange bounds the blocks one eth_getLogs call covers.
func WithMaxLogRange(n uint64) RegistryOption { return func(c *registryConfig) { c.maxLogRange = n } }

// WithMaxNodes bounds the active set the view accepts from the chain.
func WithMaxNodes(n uint64) RegistryOption { return func(c *registryConfig) { c.maxNodes = n } }

// WithSubscriptionBuffer sets each subscription's queue length.
func WithSubscriptionBuffer(n int) RegistryOption { return func(c *registryConfig) { c.subBuffer = n } }

// WithBackoff sets the first and the largest wait after an RPC failure.
func WithBackoff(min, max time.Duration) RegistryOption {
	return func(c *registryConfig) { c.minBackoff, c.maxBackoff = min, max }
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) RegistryOption { return func(c *registryConfig) { c.log = l } }

// WithRegisterer registers the view's metrics.
func WithRegisterer(r prometheus.Registerer) RegistryOption {
	return func(c *registryConfig) { c.reg = r }
}

type blockRef struct {
	number uint64
	hash   common.Hash
}

// Registry is a view of the NodeRegistry's active nodes: a snapshot at a
// confirmed block, then kept current by following the registry's events up to
// head − confirmations. It keeps serving its last view while the RPC endpoint is
// away and resyncs from the last processed block when it returns; a reorg that
// replaces the processed block makes it re-snapshot and publish the difference.
type Registry struct {
	backend  Backend
	address  common.Address
	contract *regabi.NodeRegistry
	cfg      registryConfig
	log      *slog.Logger
	m        *registryMetrics

	mu        sync.RWMutex
	nodes     map[common.Address]Node
	byPeer    map[peer.ID]common.Address
	processed blockRef
	head      uint64
	have      bool
	lastErr   error
	lastOK    time.Time
	subs      map[*Subscription]struct{}
	closed    bool

	synced     chan struct{}
	syncedOnce sync.Once
	logRange   uint64
	// page is the getNodes page size in use; it shrinks if pages are refused.
	page atomic.Uint64
	// version counts changes to the active set (see Version).
	version atomic.Uint64
}

// NewRegistry returns a view of the registry at address. Call Run to sync it.
func NewRegistry(backend Backend, address common.Address, opts ...RegistryOption) (*Registry, error) {
	cfg := defaultRegistryConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("registry view: %w", err)
	}
	contract, err := regabi.NewNodeRegistry(address, backend)
	if err != nil {
		return nil, fmt.Errorf("bind registry %s: %w", address, err)
	}
	m, err := newRegistryMetrics(cfg.reg)
	if err != nil {
		return nil, err
	}
	r := &Registry{
		backend:  backend,
		address:  address,
		contract: contract,
		cfg:      cfg,
		log:      cfg.log.With("registry", address),
		m:        m,
		nodes:    map[common.Address]Node{},
		byPeer:   map[peer.ID]common.Address{},
		subs:     map[*Subscription]struct{}{},
		synced:   make(chan struct{}),
		logRange: cfg.maxLogRange,
	}
	r.page.Store(cfg.pageSize)
	return r, nil
}

// Address is the registry contract's address.
func (r *Registry) Address() common.Address { return r.address }

// Run syncs the view until ctx ends. RPC failures are retried with backoff and
// never end Run; it returns nil when ctx ends.
func (r *Registry) Run(ctx context.Context) error {
	defer r.close()
	heads := make(chan *types.Header, 16)
	var sub ethereum.Subscription
	defer func() {
		if sub != nil {
			sub.Unsubscribe()
		}
	}()
	b := newBackoff(r.cfg.minBackoff, r.cfg.maxBackoff)
	ticker := time.NewTicker(r.cfg.poll)
	defer ticker.Stop()
	for {
		if sub == nil {
			if hs, ok := r.backend.(headSubscriber); ok {
				if s, err := hs.SubscribeNewHead(ctx, heads); err == nil {
					sub = s
				}
			}
		}
		err := r.step(ctx)
		if ctx.Err() != nil {
			return nil
		}
		r.mu.Lock()
		r.lastErr = err
		if err == nil {
			r.lastOK = time.Now()
		}
		r.mu.Unlock()
		wait := time.Duration(0)
		if err != nil {
			r.m.rpcErrors.Inc()
			wait = b.next()
			r.log.Warn("registry sync failed, keeping the last view", "block", r.Block(), "retry_in", wait.Round(time.Millisecond), "err", err)
		} else {
			b.reset()
		}
		var subErr <-chan error
		if sub != nil {
			subErr = sub.Err()
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-heads:
			drain(heads)
		case <-subErr:
			sub = nil
		}
	}
}

func drain(ch chan *types.Header) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func (r *Registry) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for s := range r.subs {
		s.end(ErrClosed)
	}
	clear(r.subs)
}

// step brings the view one round closer to the confirmed head.
func (r *Registry) step(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.callTimeout)
	defer cancel()
	r.mu.RLock()
	have, cur := r.have, r.processed
	r.mu.RUnlock()
	if !have {
		return r.snapshot(ctx, "initial")
	}
	confirmed, err := r.confirmedHeader(ctx)
	if err != nil {
		return err
	}
	h, err := r.backend.HeaderByNumber(ctx, new(big.Int).SetUint64(cur.number))
	switch {
	case errors.Is(err, ethereum.NotFound):
		return r.snapshot(ctx, "reorg")
	case err != nil:
		return fmt.Errorf("header %d: %w", cur.number, err)
	case h.Hash() != cur.hash:
		r.log.Info("reorg replaced the processed block, re-snapshotting", "block", cur.number)
		return r.snapshot(ctx, "reorg")
	}
	target := confirmed.Number.Uint64()
	for from := cur.number + 1; from <= target; {
		to := min(from+r.logRange-1, target)
		toHdr := confirmed
		if to != target {
			if toHdr, err = r.backend.HeaderByNumber(ctx, new(big.Int).SetUint64(to)); err != nil {
				return fmt.Errorf("header %d: %w", to, err)
			}
		}
		logs, err := r.backend.FilterLogs(ctx, ethereum.FilterQuery{
			FromBlock: new(big.Int).SetUint64(from),
			ToBlock:   new(big.Int).SetUint64(to),
			Addresses: []common.Address{r.address},
		})
		if err != nil {
			if ctx.Err() == nil {
				r.logRange = max(1, r.logRange/2) // maybe too many results; ask for less next time
			}
			return fmt.Errorf("logs %d..%d: %w", from, to, err)
		}
		r.logRange = min(r.cfg.maxLogRange, r.logRange*2)
		ok, err := r.checkLogs(logs, from, to, toHdr.Hash())
		if err != nil {
			return err
		}
		if !ok {
			return nil // the range is being reorged under us; the next round sorts it out
		}
		r.applyLogs(logs, blockRef{to, toHdr.Hash()})
		from = to + 1
	}
	return nil
}

// checkLogs sorts logs into chain order and rejects what a correct endpoint would
// not send. ok is false when the logs of the last block belong to another fork.
func (r *Registry) checkLogs(logs []types.Log, from, to uint64, toHash common.Hash) (ok bool, err error) {
	slices.SortStableFunc(logs, func(a, b types.Log) int {
		return cmp.Or(cmp.Compare(a.BlockNumber, b.BlockNumber), cmp.Compare(a.Index, b.Index))
	})
	for _, l := range logs {
		if l.BlockNumber < from || l.BlockNumber > to {
			return false, fmt.Errorf("rpc returned a log of block %d for range %d..%d", l.BlockNumber, from, to)
		}
		if l.BlockNumber == to && l.BlockHash != toHash {
			return false, nil
		}
	}
	return true, nil
}

func (r *Registry) confirmedHeader(ctx context.Context) (*types.Header, error) {
	if r.cfg.finalized {
		h, err := r.backend.HeaderByNumber(ctx, big.NewInt(int64(rpc.FinalizedBlockNumber)))
		if err != nil {
			return nil, fmt.Errorf("finalized header: %w", err)
		}
		r.setHead(h.Number.Uint64())
		return h, nil
	}
	h, err := r.backend.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	head := h.Number.Uint64()
	r.setHead(head)
	if r.cfg.confirmations == 0 {
		return h, nil
	}
	n := uint64(0)
	if head > r.cfg.confirmations {
		n = head - r.cfg.confirmations
	}
	h, err = r.backend.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
	if err != nil {
		return nil, fmt.Errorf("header %d: %w", n, err)
	}
	return h, nil
}

func (r *Registry) setHead(n uint64) {
	r.mu.Lock()
	r.head = n
	r.mu.Unlock()
	r.m.head.Set(float64(n))
}

// snapshot reads every active node at the confirmed block with paginated calls
// pinned to that block's hash, then replaces the view and publishes the difference.
func (r *Registry) snapshot(ctx context.Context, reason string) error {
	hdr, err := r.confirmedHeader(ctx)
	if err != nil {
		return err
	}
	opts := &bind.CallOpts{Context: ctx, BlockHash: hdr.Hash()}
	count, err := r.contract.NodeCount(opts)
	if err != nil {
		if errors.Is(err, bind.ErrNoCode) {
			return fmt.Errorf("%w %s at block %d: deploy it (validator registry deploy) or fix the registry address", ErrNoRegistry, r.address, hdr.Number)
		}
		return fmt.Errorf("nodeCount at block %d: %w", hdr.Number, err)
	}
	if !count.IsUint64() || count.Uint64() > r.cfg.maxNodes {
		return fmt.Errorf("registry reports %s active nodes, more than the %d this node accepts", count, r.cfg.maxNodes)
	}
	n := count.Uint64()
	var (
		mu    sync.Mutex
		nodes = make(map[common.Address]Node, n)
	)
	page := r.page.Load()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.fetchers)
	gopts := &bind.CallOpts{Context: gctx, BlockHash: hdr.Hash()}
	for off := uint64(0); off < n; off += page {
		size := min(page, n-off)
		g.Go(func() error {
			got, err := r.fetchPage(gopts, hdr.Number.Uint64(), off, size)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, node := range got {
				nodes[node.ID] = node
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.replace(nodes, blockRef{hdr.Number.Uint64(), hdr.Hash()}, reason)
	return nil
}

// fetchPage reads active nodes [off, off+size). A page the endpoint refuses to
// execute (a worst-case page of maximal entries can exceed a node's eth_call gas
// cap) is split in halves, and later snapshots use the smaller page.
func (r *Registry) fetchPage(opts *bind.CallOpts, block, off, size uint64) ([]Node, error) {
	raw, err := r.contract.GetNodes(opts, new(big.Int).SetUint64(off), new(big.Int).SetUint64(size))
	if err != nil {
		var rerr rpc.Error
		if size > 1 && errors.As(err, &rerr) && opts.Context.Err() == nil {
			half := size / 2
			for {
				cur := r.page.Load()
				if cur <= half || r.page.CompareAndSwap(cur, half) {
					break
				}
			}
			r.log.Warn("registry page refused, halving it", "offset", off, "size", size, "err", err)
			a, err := r.fetchPage(opts, block, off, half)
			if err != nil {
				return nil, err
			}
			b, err := r.fetchPage(opts, block, off+half, size-half)
			if err != nil {
				return nil, err
			}
			return append(a, b...), nil
		}
		return nil, fmt.Errorf("getNodes(%d, %d) at block %d: %w", off, size, block, err)
	}
	if uint64(len(raw)) != size {
		return nil, fmt.Errorf("getNodes(%d, %d) returned %d nodes, want %d", off, size, len(raw), size)
	}
	out := make([]Node, 0, len(raw))
	for _, bn := range raw {
		node := fromBinding(bn)
		if err := node.validate(); err != nil {
			r.m.invalid.Inc()
			r.log.Warn("ignoring invalid registry entry", "err", err)
			continue
		}
		if node.Status != StatusActive {
			continue
		}
		out = append(out, node)
	}
	return out, nil
}

// chainTime is a contract timestamp (seconds) as a time, clamped so a hostile
// value cannot overflow.
func chainTime(sec uint64) time.Time { return time.Unix(int64(min(sec, 1<<62)), 0).UTC() }

func fromBinding(b regabi.NodeRegistryNode) Node {
	n := Node{
		ID:           b.Id,
		Operator:     b.Operator,
		PubKey:       b.PubKey,
		Multiaddrs:   b.Multiaddrs,
		Metadata:     b.Metadata,
		Stake:        b.Stake,
		Role:         Role(b.Role),
		Status:       Status(b.Status),
		RegisteredAt: b.RegisteredAt,
	}
	if b.WithdrawableAt != 0 {
		n.WithdrawableAt = chainTime(b.WithdrawableAt)
	}
	if b.ActiveSince != 0 {
		n.ActiveSince = chainTime(b.ActiveSince)
	}
	if b.JailedUntil != 0 {
		n.JailedUntil = chainTime(b.JailedUntil)
	}
	return n
}

// replace swaps in a freshly snapshotted view and publishes the difference.
func (r *Registry) replace(nodes map[common.Address]Node, at blockRef, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var changes []Change
	for id, old := range r.nodes {
		if _, ok := nodes[id]; !ok {
			changes = append(changes, Change{Kind: Removed, Node: old, Block: at.number})
		}
	}
	for id, n := range nodes {
		old, ok := r.nodes[id]
		switch {
		case !ok:
			changes = append(changes, Change{Kind: Added, Node: n, Block: at.number})
		case !old.Equal(n):
			changes = append(changes, Change{Kind: Updated, Node: n, Block: at.number})
		}
	}
	slices.SortFunc(changes, func(a, b Change) int { return a.Node.ID.Cmp(b.Node.ID) })
	r.nodes = nodes
	r.byPeer = make(map[peer.ID]common.Address, len(nodes))
	for id, n := range nodes {
		r.byPeer[n.PeerID] = id
	}
	first := !r.have
	r.processed, r.have = at, true
	r.publishLocked(changes)
	r.m.resyncs.WithLabelValues(reason).Inc()
	r.m.block.Set(float64(at.number))
	r.m.nodes.Set(float64(len(nodes)))
	if first {
		r.log.Info("synced registry", "block", at.number, "nodes", len(nodes))
	} else if reason != "initial" || len(changes) > 0 {
		r.log.Info("re-snapshotted registry", "reason", reason, "block", at.number, "nodes", len(nodes), "changes", len(changes))
	}
	r.syncedOnce.Do(func() { close(r.synced) })
}

// applyLogs applies registry events in chain order and advances the processed block.
func (r *Registry) applyLogs(logs []types.Log, at blockRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var changes []Change
	for i := range logs {
		l := &logs[i]
		if l.Removed || l.Address != r.address || len(l.Topics) == 0 {
			continue
		}
		c, ok, err := r.applyLocked(l)
		if err != nil {
			r.m.events.WithLabelValues("invalid").Inc()
			r.log.Warn("ignoring invalid registry event", "block", l.BlockNumber, "tx", l.TxHash, "err", err)
			continue
		}
		r.m.events.WithLabelValues("applied").Inc()
		if ok {
			changes = append(changes, c)
		}
	}
	r.processed = at
	r.publishLocked(changes)
	r.m.block.Set(float64(at.number))
	r.m.nodes.Set(float64(len(r.nodes)))
}

func (r *Registry) applyLocked(l *types.Log) (Change, bool, error) {
	c := r.contract
	switch l.Topics[0] {
	case eventID("NodeRegistered"):
		e, err := c.ParseNodeRegistered(*l)
		if err != nil {
			return Change{}, false, err
		}
		return r.activateLocked(Node{
			ID: e.Id, Operator: e.Operator, PubKey: e.PubKey, Multiaddrs: e.Multiaddrs,
			Metadata: e.Metadata, Stake: e.Stake, Role: Role(e.Role), Status: StatusActive,
			RegisteredAt: l.BlockNumber, ActiveSince: chainTime(e.ActiveSince),
		}, l.BlockNumber)
	case eventID("Unjailed"):
		e, err := c.ParseUnjailed(*l)
		if err != nil {
			return Change{}, false, err
		}
		return r.activateLocked(Node{
			ID: e.Id, Operator: e.Operator, PubKey: e.PubKey, Multiaddrs: e.Multiaddrs,
			Metadata: e.Metadata, Stake: e.Stake, Role: Role(e.Role), Status: StatusActive,
			RegisteredAt: e.RegisteredAt, ActiveSince: chainTime(e.ActiveSince),
		}, l.BlockNumber)
	case eventID("Slashed"):
		e, err := c.ParseSlashed(*l)
		if err != nil {
			return Change{}, false, err
		}
		return r.updateLocked(e.Id, l.BlockNumber, func(n *Node) { n.Stake = e.Stake })
	case eventID("Jailed"):
		e, err := c.ParseJailed(*l)
		if err != nil {
			return Change{}, false, err
		}
		n, ok := r.nodes[e.Id]
		if !ok {
			return Change{}, false, nil
		}
		delete(r.nodes, e.Id)
		delete(r.byPeer, n.PeerID)
		n.Status = StatusJailed
		n.JailedUntil = chainTime(e.JailedUntil)
		return Change{Kind: Removed, Node: n, Block: l.BlockNumber}, true, nil
	case eventID("AddrsUpdated"):
		e, err := c.ParseAddrsUpdated(*l)
		if err != nil {
			return Change{}, false, err
		}
		return r.updateLocked(e.Id, l.BlockNumber, func(n *Node) { n.Multiaddrs = e.Multiaddrs })
	case eventID("MetadataUpdated"):
		e, err := c.ParseMetadataUpdated(*l)
		if err != nil {
			return Change{}, false, err
		}
		return r.updateLocked(e.Id, l.BlockNumber, func(n *Node) { n.Metadata = e.Metadata })
	case eventID("StakeAdded"):
		e, err := c.ParseStakeAdded(*l)
		if err != nil {
			return Change{}, false, err
		}
		return r.updateLocked(e.Id, l.BlockNumber, func(n *Node) { n.Stake = e.Stake })
	case eventID("RoleChanged"):
		e, err := c.ParseRoleChanged(*l)
		if err != nil {
			return Change{}, false, err
		}
		return r.updateLocked(e.Id, l.BlockNumber, func(n *Node) { n.Role = Role(e.Role) })
	case eventID("ExitRequested"):
		e, err := c.ParseExitRequested(*l)
		if err != nil {
			return Change{}, false, err
		}
		n, ok := r.nodes[e.Id]
		if !ok {
			return Change{}, false, nil
		}
		delete(r.nodes, e.Id)
		delete(r.byPeer, n.PeerID)
		n.Status = StatusExiting
		n.WithdrawableAt = chainTime(e.WithdrawableAt)
		return Change{Kind: Removed, Node: n, Block: l.BlockNumber}, true, nil
	default:
		// Withdrawn, AdminChanged, OfflineReported, SlashSwept and unknown events
		// do not change the active set.
		return Change{}, false, nil
	}
}

// activateLocked puts n, which has just become active, into the view.
func (r *Registry) activateLocked(n Node, block uint64) (Change, bool, error) {
	if err := n.validate(); err != nil {
		return Change{}, false, err
	}
	kind := Added
	if _, ok := r.nodes[n.ID]; ok {
		kind = Updated
	}
	r.putLocked(n)
	return Change{Kind: kind, Node: n, Block: block}, true, nil
}

func (r *Registry) updateLocked(id common.Address, block uint64, f func(*Node)) (Change, bool, error) {
	old, ok := r.nodes[id]
	if !ok {
		return Change{}, false, nil // not active: nothing to update
	}
	n := old.Clone()
	f(&n)
	if err := n.validate(); err != nil {
		return Change{}, false, err
	}
	r.putLocked(n)
	return Change{Kind: Updated, Node: n, Block: block}, true, nil
}

func (r *Registry) putLocked(n Node) {
	if old, ok := r.nodes[n.ID]; ok {
		delete(r.byPeer, old.PeerID)
	}
	r.nodes[n.ID] = n
	r.byPeer[n.PeerID] = n.ID
}

var eventIDs = func() map[string]common.Hash {
	parsed, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		panic(err)
	}
	m := map[string]common.Hash{}
	for name, e := range parsed.Events {
		m[name] = e.ID
	}
	return m
}()

func eventID(name string) common.Hash {
	id, ok := eventIDs[name]
	if !ok {
		panic("unknown event " + name)
	}
	return id
}

// Synced is closed once the first snapshot has been taken.
func (r *Registry) Synced() <-chan struct{} { return r.synced }

// WaitSynced blocks until the first snapshot or ctx ends; on timeout it returns
// the last sync error, which says why (RPC down, no registry...).
func (r *Registry) WaitSynced(ctx context.Context) error {
	select {
	case <-r.synced:
		return nil
	case <-ctx.Done():
		r.mu.RLock()
		last := r.lastErr
		r.mu.RUnlock()
		if last != nil {
			return fmt.Errorf("registry not synced: %w", last)
		}
		return fmt.Errorf("registry not synced: %w", ctx.Err())
	}
}

// Version changes whenever the active set changes, so callers can cache what
// they derive from it (node.Membership caches parsed members per version).
func (r *Registry) Version() uint64 { return r.version.Load() }

// Block is the last block whose events the view has applied.
func (r *Registry) Block() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.processed.number
}

// SyncStatus describes the view's progress.
type SyncStatus struct {
	Synced bool
	// Block is the last processed (confirmed) block; Head the latest head seen.
	Block, Head uint64
	// Hash is the hash of Block.
	Hash        common.Hash
	Nodes       int
	LastError   error
	LastSuccess time.Time
}

// Status reports the view's progress.
func (r *Registry) Status() SyncStatus {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return SyncStatus{Synced: r.have, Block: r.processed.number, Hash: r.processed.hash, Head: r.head, Nodes: len(r.nodes), LastError: r.lastErr, LastSuccess: r.lastOK}
}

// Node returns the active node with the given ID.
func (r *Registry) Node(id common.Address) (Node, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n, ok := r.nodes[id]
	if !ok {
		return Node{}, false
	}
	return n.Clone(), true
}

// NodeByPeer returns the active node whose key is the libp2p identity p.
func (r *Registry) NodeByPeer(p peer.ID) (Node, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	id, ok := r.byPeer[p]
	if !ok {
		return Node{}, false
	}
	return r.nodes[id].Clone(), true
}

// IsActivePeer reports whether p is the identity of an active node.
func (r *Registry) IsActivePeer(p peer.ID) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.byPeer[p]
	return ok
}

// Active returns the active nodes ordered by ID.
func (r *Registry) Active() []Node {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.activeLocked()
}

func (r *Registry) activeLocked() []Node {
	out := make([]Node, 0, len(r.nodes))
	for _, n := range r.nodes {
		out = append(out, n.Clone())
	}
	slices.SortFunc(out, func(a, b Node) int { return a.ID.Cmp(b.ID) })
	return out
}

// Subscription delivers changes to the active set in the order they were
// confirmed. Its queue is bounded: a reader that falls behind by more than the
// buffer is cut off with ErrLagged rather than slowing the view or losing changes
// silently.
type Subscription struct {
	r    *Registry
	ch   chan Change
	mu   sync.Mutex
	err  error
	done bool
}

// Subscribe returns the active set and a subscription to every change after
// it, atomically: no change is missed or seen twice between the two.
func (r *Registry) Subscribe() ([]Node, *Subscription) {
	s := &Subscription{r: r, ch: make(chan Change, r.cfg.subBuffer)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		s.end(ErrClosed)
		return nil, s
	}
	r.subs[s] = struct{}{}
	return r.activeLocked(), s
}

// Changes is closed when the subscription ends; Err then says why.
func (s *Subscription) Changes() <-chan Change { return s.ch }

// Err is nil while the subscription runs and after Close.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	delete(s.r.subs, s)
	s.end(nil)
}

func (s *Subscription) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	s.done, s.err = true, err
	close(s.ch)
}

func (r *Registry) publishLocked(changes []Change) {
	if len(changes) > 0 {
		r.version.Add(1)
	}
	for _, c := range changes {
		r.m.changes.WithLabelValues(c.Kind.String()).Inc()
		for s := range r.subs {
			select {
			case s.ch <- Change{Kind: c.Kind, Node: c.Node.Clone(), Block: c.Block}:
			default:
				delete(r.subs, s)
				s.end(ErrLagged)
			}
		}
	}
}
