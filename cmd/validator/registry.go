package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
	"validator/node"
)

// parseEther parses a decimal amount of ETH ("32", "0.5") into wei.
func parseEther(s string) (*big.Int, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 18 {
		return nil, fmt.Errorf("amount %q has more than 18 decimals", s)
	}
	w, ok := new(big.Int).SetString(whole, 10)
	if !ok || w.Sign() < 0 {
		return nil, fmt.Errorf("amount %q is not a positive decimal number of ETH", s)
	}
	f := big.NewInt(0)
	if frac != "" {
		if f, ok = new(big.Int).SetString(frac+strings.Repeat("0", 18-len(frac)), 10); !ok || f.Sign() < 0 {
			return nil, fmt.Errorf("amount %q is not a decimal number of ETH", s)
		}
	}
	return w.Mul(w, big.NewInt(1e18)).Add(w, f), nil
}

func formatEther(wei *big.Int) string { return chain.FormatEther(wei) }

// chainEnv is what registry commands need: the network, a connection and,
// for transactions, the operator's signer.
type chainEnv struct {
	cfg     node.Config
	network chain.Network
	backend chain.Backend
	close   func()
}

func openChain(ctx context.Context, cf *configFlags) (*chainEnv, error) {
	cfg, err := cf.load()
	if err != nil {
		return nil, err
	}
	var n chain.Network
	if cf.registryOptional && cfg.Chain.Registry == "" {
		// Deploying: only the endpoint and chain ID matter.
		if p, ok := chain.Preset(cfg.Chain.Network); ok {
			n = p
		}
		n.Name = cfg.Chain.Network
		if cfg.Chain.RPCURL != "" {
			n.RPCURL = cfg.Chain.RPCURL
		}
		if cfg.Chain.ChainID != 0 {
			n.ChainID = cfg.Chain.ChainID
		}
	} else if n, err = node.ResolveNetwork(cfg.Chain); err != nil {
		return nil, err
	}
	c, err := chain.Dial(ctx, n.RPCURL, n.ChainID, chain.WithDialAttempts(3))
	if err != nil {
		return nil, err
	}
	return &chainEnv{cfg: cfg, network: n, backend: c, close: c.Close}, nil
}

func (e *chainEnv) transactor(ctx context.Context, errOut io.Writer) (*chain.Transactor, error) {
	signer, err := loadOperator(e.cfg, errOut)
	if err != nil {
		return nil, err
	}
	return chain.NewTransactor(ctx, e.backend, e.network.Registry, signer)
}

// nodeID is --node if given, else the ID of the configured node key.
func (e *chainEnv) nodeID(flagValue string) (common.Address, error) {
	if flagValue != "" {
		if !common.IsHexAddress(flagValue) {
			return common.Address{}, usagef("--node %q is not an address", flagValue)
		}
		return common.HexToAddress(flagValue), nil
	}
	k, err := loadNodeKey(e.cfg.Keys.NodeKey)
	if err != nil {
		return common.Address{}, err
	}
	return crypto.PubkeyToAddress(k.PublicKey), nil
}

// withNodeTx connects to the chain, resolves the node (--node or the
// configured key) and the operator's transactor, and runs f.
func withNodeTx(ctx context.Context, cf *configFlags, nodeFlag string, errOut io.Writer, f func(e *chainEnv, tx *chain.Transactor, id common.Address) error) error {
	e, err := openChain(ctx, cf)
	if err != nil {
		return err
	}
	defer e.close()
	id, err := e.nodeID(nodeFlag)
	if err != nil {
		return err
	}
	tx, err := e.transactor(ctx, errOut)
	if err != nil {
		return err
	}
	return f(e, tx, id)
}

func txFlags(name, desc, example string, errOut io.Writer) (*flag.FlagSet, *configFlags) {
	fs := newFlags(name, desc, example, errOut)
	cf := &configFlags{}
	cf.register(fs)
	return fs, cf
}

func cmdRegistry(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 {
		return usagef("usage: validator registry deploy|list [flags]")
	}
	switch args[0] {
	case "deploy":
		return cmdDeploy(ctx, args[1:], out, errOut)
	case "list":
		return cmdList(ctx, args[1:], out, errOut)
	case "-h", "-help", "--help":
		fmt.Fprint(errOut, "Usage: validator registry deploy|list [flags]\n\nDeploy a NodeRegistry or list its active nodes; validator registry deploy --help and\nvalidator registry list --help show the flags.\n\nExample:\n  validator registry list --network devnet\n")
		return flag.ErrHelp
	default:
		return usagef("unknown registry command %q (want deploy or list)", args[0])
	}
}

func cmdDeploy(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, cf := txFlags("registry deploy", "Deploy a NodeRegistry from the operator account (or, on a dev chain, from the published devnet deployer key,\nwhich puts it at the devnet preset's address). Prints the address to put in chain.registry.",
		"validator registry deploy --config ./validator.toml --min-stake 32 --unbonding 72h", errOut)
	minStake := fs.String("min-stake", "32", "minimum stake in ETH")
	unbonding := fs.Duration("unbonding", 72*time.Hour, "unbonding period before a withdrawal")
	admin := fs.String("admin", "", "admin address that sets roles (default: the deployer)")
	devDeployer := fs.Bool("devnet-deployer", false, "deploy from the published devnet deployer key (dev chains only)")
	if err := parse(fs, args); err != nil {
		return err
	}
	ms, err := parseEther(*minStake)
	if err != nil {
		return usageError{err}
	}
	cf.registryOptional = true
	e, err := openChain(ctx, cf)
	if err != nil {
		return err
	}
	defer e.close()
	var signer *chain.Signer
	if *devDeployer {
		signer = chain.NewKeySigner(chain.DevnetDeployerKey)
	} else if signer, err = loadOperator(e.cfg, errOut); err != nil {
		return err
	}
	p := chain.DeployParams{MinStake: ms, UnbondingPeriod: *unbonding}
	if *admin != "" {
		if !common.IsHexAddress(*admin) {
			return usagef("--admin %q is not an address", *admin)
		}
		p.Admin = common.HexToAddress(*admin)
	}
	addr, r, err := chain.Deploy(ctx, e.backend, signer, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "registry deployed at %s (block %d, tx %s)\n", addr, r.Block, r.TxHash)
	fmt.Fprintf(out, "set chain.registry = %q in validator.toml\n", addr.Hex())
	return nil
}

func cmdList(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, cf := txFlags("registry list", "List the registry's active nodes at the latest block: ID, operator, role, stake and addresses.",
		"validator registry list --network devnet", errOut)
	if err := parse(fs, args); err != nil {
		return err
	}
	e, err := openChain(ctx, cf)
	if err != nil {
		return err
	}
	defer e.close()
	r, err := chain.NewRegistry(e.backend, e.network.Registry, chain.WithNetwork(e.network), chain.WithPollInterval(time.Hour), chain.WithBackoff(100*time.Millisecond, time.Second))
	if err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); r.Run(rctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	err = r.WaitSynced(wctx)
	wcancel()
	cancel()
	<-done
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "NODE\tOPERATOR\tROLE\tSTATE\tSTAKE (ETH)\tADDRESSES\n")
	for _, n := range r.Active() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, n.Operator, n.Role, n.Status, formatEther(n.Stake), strings.Join(n.Multiaddrs, " "))
	}
	fmt.Fprintf(tw, "\n%d active nodes at block %d\n", len(r.Active()), r.Block())
	return tw.Flush()
}

func cmdRegister(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, cf := txFlags("register", "Stake and register the configured node key from the operator account. The node key signs a proof of\npossession bound to this chain, registry and operator. --addr defaults to network.external_addrs.",
		"validator register --config ./validator.toml --stake 32 --addr /ip4/203.0.113.7/udp/9000/quic-v1", errOut)
	stake := fs.String("stake", "", "stake in ETH (at least the registry's minimum)")
	var addrs multiFlag
	fs.Var(&addrs, "addr", "multiaddr to publish (repeatable)")
	metadata := fs.String("metadata", "", "free-form metadata (at most 1024 bytes)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *stake == "" {
		return usagef("--stake is required")
	}
	amount, err := parseEther(*stake)
	if err != nil {
		return usageError{err}
	}
	e, err := openChain(ctx, cf)
	if err != nil {
		return err
	}
	defer e.close()
	if len(addrs) == 0 {
		addrs = e.cfg.Network.ExternalAddrs
	}
	if len(addrs) == 0 {
		return usagef("no address to publish: pass --addr or set network.external_addrs")
	}
	key, err := loadNodeKey(e.cfg.Keys.NodeKey)
	if err != nil {
		return err
	}
	tx, err := e.transactor(ctx, errOut)
	if err != nil {
		return err
	}
	id, r, err := tx.Register(ctx, key, addrs, *metadata, amount)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "registered node %s with %s ETH (block %d, tx %s)\n", id, formatEther(amount), r.Block, r.TxHash)
	return nil
}

func cmdUpdate(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, cf := txFlags("update", "Replace the node's published addresses and/or metadata.", "validator update --config ./validator.toml --addr /ip4/203.0.113.8/tcp/9000", errOut)
	var addrs multiFlag
	fs.Var(&addrs, "addr", "multiaddr to publish (repeatable; replaces all)")
	metadata := fs.String("metadata", "", "new metadata")
	setMeta := false
	nodeFlag := fs.String("node", "", "node ID (default: the configured node key's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { setMeta = setMeta || f.Name == "metadata" })
	if len(addrs) == 0 && !setMeta {
		return usagef("nothing to update: pass --addr and/or --metadata")
	}
	return withNodeTx(ctx, cf, *nodeFlag, errOut, func(_ *chainEnv, tx *chain.Transactor, id common.Address) error {
		if len(addrs) > 0 {
			r, err := tx.UpdateAddrs(ctx, id, addrs)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "addresses of %s updated (block %d)\n", id, r.Block)
		}
		if setMeta {
			r, err := tx.UpdateMetadata(ctx, id, *metadata)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "metadata of %s updated (block %d)\n", id, r.Block)
		}
		return nil
	})
}

func cmdExit(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, cf := txFlags("exit", "Leave the active set at once; peers disconnect the node once the exit is confirmed. Unbonding starts.",
		"validator exit --config ./validator.toml", errOut)
	nodeFlag := fs.String("node", "", "node ID (default: the configured node key's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withNodeTx(ctx, cf, *nodeFlag, errOut, func(e *chainEnv, tx *chain.Transactor, id common.Address) error {
		r, err := tx.RequestExit(ctx, id)
		if err != nil {
			return err
		}
		n, err := chain.ReadNode(ctx, e.backend, e.network.Registry, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "node %s left the active set (block %d); withdraw after %s with `validator withdraw`\n", id, r.Block, n.WithdrawableAt.Format(time.RFC3339))
		return nil
	})
}

func cmdWithdraw(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, cf := txFlags("withdraw", "Return an exited node's stake to the operator once unbonding is over.", "validator withdraw --config ./validator.toml", errOut)
	nodeFlag := fs.String("node", "", "node ID (default: the configured node key's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withNodeTx(ctx, cf, *nodeFlag, errOut, func(_ *chainEnv, tx *chain.Transactor, id common.Address) error {
		r, err := tx.Withdraw(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "stake of %s withdrawn to %s (block %d)\n", id, tx.Account(), r.Block)
		return nil
	})
}

func cmdSetRole(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs, cf := txFlags("set-role", "Set a node's role; the operator account must be the registry admin.", "validator set-role --config ./admin.toml --node 0xabc... --role coordinator", errOut)
	nodeFlag := fs.String("node", "", "node ID (required)")
	role := fs.String("role", "", "validator or coordinator")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *nodeFlag == "" {
		return usagef("--node is required")
	}
	rl, err := chain.ParseRole(*role)
	if err != nil {
		return usageError{err}
	}
	return withNodeTx(ctx, cf, *nodeFlag, errOut, func(_ *chainEnv, tx *chain.Transactor, id common.Address) error {
		r, err := tx.SetRole(ctx, id, rl)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "role of %s set to %s (block %d)\n", id, rl, r.Block)
		return nil
	})
}
