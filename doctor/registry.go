package doctor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"validator/chain"
)

// maxHeadAge: a head older than this on a chain that mines continuously means
// the Ethereum node is stuck or still syncing.
const maxHeadAge = 5 * time.Minute

// checkRPC: the endpoint answers, serves the network's chain, and its head is
// recent. close is set to release the connection.
func (d *doctor) checkRPC(ctx context.Context, closeFn *func()) []Result {
	n := d.cfg.Network
	url := chain.RedactURL(n.RPCURL)
	cctx, cancel := d.timeout(ctx)
	defer cancel()
	c, err := chain.Dial(cctx, n.RPCURL, 0, chain.WithDialAttempts(1), chain.WithDialLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return []Result{
			{Check: "rpc", Status: Fail, Detail: fmt.Sprintf("the Ethereum JSON-RPC endpoint %s does not answer: %v", url, err),
				Next: "start the Ethereum node, or point chain.rpc_url (--rpc-url, VALIDATOR_CHAIN_RPC_URL) at one that runs"},
			{Check: "chain_id", Status: Skip, Detail: "the RPC endpoint is unreachable"},
			{Check: "chain_head", Status: Skip, Detail: "the RPC endpoint is unreachable"},
		}
	}
	*closeFn = c.Close
	rs := []Result{{Check: "rpc", Status: OK, Detail: fmt.Sprintf("%s answers", url)}}
	id, err := c.ChainID(cctx)
	switch {
	case err != nil:
		return append(rs, Result{Check: "chain_id", Status: Fail, Detail: fmt.Sprintf("eth_chainId on %s: %v", url, err), Next: "check the Ethereum node's logs; chain.rpc_url must serve the eth namespace"},
			Result{Check: "chain_head", Status: Skip, Detail: "no chain ID"})
	case n.ChainID != 0 && id.Cmp(new(big.Int).SetUint64(n.ChainID)) != 0:
		return append(rs, Result{Check: "chain_id", Status: Fail,
			Detail: fmt.Sprintf("%s serves chain ID %s, network %q expects %d", url, id, n.Name, n.ChainID),
			Next:   fmt.Sprintf("point chain.rpc_url at a node of chain %d, or fix chain.network / chain.chain_id if this node belongs to chain %s", n.ChainID, id)},
			Result{Check: "chain_head", Status: Skip, Detail: "wrong chain"})
	}
	rs = append(rs, Result{Check: "chain_id", Status: OK, Detail: fmt.Sprintf("chain ID %s (network %s)", id, n.Name)})
	d.backend = c
	h, err := c.HeaderByNumber(cctx, nil)
	if err != nil {
		return append(rs, Result{Check: "chain_head", Status: Fail, Detail: fmt.Sprintf("read the head block: %v", err), Next: "check the Ethereum node's logs"})
	}
	d.head = h.Number.Uint64()
	age := time.Since(time.Unix(int64(h.Time), 0)).Round(time.Second)
	head := Result{Check: "chain_head", Status: OK, Detail: fmt.Sprintf("head block %d, %s old", d.head, age)}
	if age < 0 {
		head.Detail = fmt.Sprintf("head block %d, stamped %s ahead of this clock", d.head, -age)
	}
	if sp, err := c.SyncProgress(cctx); err == nil && sp != nil {
		head.Status, head.Detail = Warn, fmt.Sprintf("the Ethereum node is syncing: block %d of %d", sp.CurrentBlock, sp.HighestBlock)
		head.Next = "wait for it to sync; until then the registry view lags"
	} else if id.Uint64() == chain.DevnetChainID {
		head.Detail += " (a dev chain mines on demand: its age is not judged)"
	} else if age > maxHeadAge {
		head.Status, head.Next = Warn, "the Ethereum node may be stuck or cut off from its peers: check its sync status (eth_syncing) and logs"
	}
	return append(rs, head)
}

// checkRegistration: the registry exists and lists this node's key, active,
// with enough stake.
func (d *doctor) checkRegistration(ctx context.Context) []Result {
	if d.backend == nil {
		return []Result{{Check: "registration", Status: Skip, Detail: "the registry cannot be read: see rpc and chain_id"}}
	}
	n, self := d.cfg.Network, d.id.NodeID
	cctx, cancel := d.timeout(ctx)
	defer cancel()
	p, err := chain.ReadParams(cctx, d.backend, n.Registry)
	if err != nil {
		r := Result{Check: "registration", Status: Fail, Detail: fmt.Sprintf("read registry %s: %v", n.Registry, err), Next: "check the Ethereum node; then run validator doctor again"}
		if errors.Is(err, chain.ErrNoRegistry) {
			r.Detail = fmt.Sprintf("there is no NodeRegistry at %s on chain %d", n.Registry, n.ChainID)
			r.Next = "set chain.registry to the address `validator registry deploy` printed for this network, and check chain.rpc_url names that network's chain"
		}
		return []Result{r}
	}
	d.params = &p
	minStake := chain.FormatEther(p.MinStake) + " ETH"
	node, err := chain.ReadNode(cctx, d.backend, n.Registry, self)
	if errors.Is(err, chain.ErrUnknownNode) {
		return []Result{{Check: "registration", Status: Fail,
			Detail: fmt.Sprintf("node %s is not registered in registry %s", self, n.Registry),
			Next:   fmt.Sprintf("register it from the operator account: validator register --config <file> --stake <ETH> (at least %s); or check chain.registry and keys.node_key", minStake)}}
	}
	if err != nil {
		return []Result{{Check: "registration", Status: Fail, Detail: err.Error(), Next: "check the Ethereum node; then run validator doctor again"}}
	}
	d.self = &node
	stake := chain.FormatEther(node.Stake) + " ETH"
	low := node.Stake.Cmp(p.MinStake) < 0
	switch node.Status {
	case chain.StatusActive:
		r := Result{Check: "registration", Status: OK, Detail: fmt.Sprintf("node %s is active (%s) since %s, stake %s (minimum %s)", self, node.Role, node.ActiveSince.UTC().Format(time.RFC3339), stake, minStake)}
		if low {
			r.Status, r.Next = Warn, "the stake is below the registry's minimum: top it up from the operator account"
		}
		return []Result{r}
	case chain.StatusJailed:
		r := Result{Check: "registration", Status: Fail, Detail: fmt.Sprintf("node %s is jailed until %s (stake %s, minimum %s): a quorum of observers reported it offline", self, node.JailedUntil.UTC().Format(time.RFC3339), stake, minStake)}
		topUp := ""
		if low {
			topUp = fmt.Sprintf(" --top-up %s", chain.FormatEther(new(big.Int).Sub(p.MinStake, node.Stake)))
		}
		if wait := time.Until(node.JailedUntil); wait > 0 {
			r.Next = fmt.Sprintf("find why peers could not reach it (the peer:* lines below, its logs), keep it running, and after %s (in %s) run `validator unjail --config <file>%s`", node.JailedUntil.UTC().Format(time.RFC3339), wait.Round(time.Second), topUp)
		} else {
			r.Next = fmt.Sprintf("the jail period is over: run `validator unjail --config <file>%s`", topUp)
		}
		return []Result{r}
	case chain.StatusExiting:
		return []Result{{Check: "registration", Status: Fail,
			Detail: fmt.Sprintf("node %s has exited the active set; its stake is withdrawable from %s", self, node.WithdrawableAt.UTC().Format(time.RFC3339)),
			Next:   "stop the daemon and run `validator withdraw` once the stake is withdrawable; a key registers only once, so to rejoin create a new one (validator init) and register it"}}
	default:
		return []Result{{Check: "registration", Status: Fail,
			Detail: fmt.Sprintf("node %s has exited and withdrawn its stake (status %s)", self, node.Status),
			Next:   "a key registers only once: to rejoin, create a new key (validator init) and register it"}}
	}
}

// pending refines an active registration with the daemon's view: registered
// at the head but not yet in the view the peers share.
func (d *doctor) pending() *Result {
	if d.status == nil || d.status.Registration == nil || d.self == nil || d.self.Status != chain.StatusActive {
		return nil
	}
	if r := d.status.Registration; r.State == chain.StandingPending {
		return &Result{Check: "registration", Status: Warn, Detail: r.Reason, Next: "wait for the registration to be confirmed (chain.confirmations or chain.finalized); the node joins by itself"}
	}
	return nil
}

// checkRegistrySync: the daemon's registry view is synced, recent and close
// to the head.
func (d *doctor) checkRegistrySync() Result {
	const name = "registry_sync"
	if d.status == nil {
		return Result{Check: name, Status: Skip, Detail: "the node API is unreachable"}
	}
	rs := d.status.Registry
	var last string
	if !rs.LastSuccess.IsZero() {
		last = fmt.Sprintf(", last success %s ago", time.Since(rs.LastSuccess).Round(time.Second))
	}
	switch {
	case !rs.Synced:
		detail := "the daemon's registry view has not synced yet" + last
		if rs.LastError != "" {
			detail += "; last error: " + rs.LastError
		}
		return Result{Check: name, Status: Fail, Detail: detail, Next: "check that the daemon reaches chain.rpc_url (the rpc check above reaches it from here) and read its logs"}
	case d.cfg.StallAfter > 0 && time.Since(rs.LastSuccess) > d.cfg.StallAfter:
		detail := fmt.Sprintf("the registry sync stalled: view at block %d%s (chain.stall_after %s)", rs.Block, last, d.cfg.StallAfter)
		if rs.LastError != "" {
			detail += "; last error: " + rs.LastError
		}
		return Result{Check: name, Status: Fail, Detail: detail, Next: "the daemon cannot reach its RPC endpoint: check chain.rpc_url from the daemon's host and its logs; it resyncs by itself once the endpoint answers"}
	}
	r := Result{Check: name, Status: OK, Detail: fmt.Sprintf("synced at block %d (daemon's head %d), %d nodes%s", rs.Block, rs.Head, rs.Nodes, last)}
	conf := d.cfg.Network.Confirmations
	if d.head > 0 && !d.cfg.Network.Finalized && d.head > rs.Block+conf+16 {
		r.Status = Warn
		r.Detail += fmt.Sprintf("; the chain's head is %d, %d blocks ahead of the view (chain.confirmations %d)", d.head, d.head-rs.Block, conf)
		r.Next = "the view lags the chain: check the daemon's RPC endpoint and logs"
	}
	return r
}
