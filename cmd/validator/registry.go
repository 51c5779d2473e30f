package main

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/urfave/cli/v2"

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

func cmdDeploy(cctx *cli.Context) error {
	ctx, out, errOut, cf := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter, parseConfigFlags(cctx)
	minStake, unbonding, admin, devDeployer := cctx.String("min-stake"), cctx.Duration("unbonding"), cctx.String("admin"), cctx.Bool("devnet-deployer")
	ms, err := parseEther(minStake)
	if err != nil {
		return usageError{error: err}
	}
	cf.registryOptional = true
	e, err := openChain(ctx, cf)
	if err != nil {
		return err
	}
	defer e.close()
	var signer *chain.Signer
	if devDeployer {
		signer = chain.NewKeySigner(chain.DevnetDeployerKey)
	} else if signer, err = loadOperator(e.cfg, errOut); err != nil {
		return err
	}
	acc, err := accountabilityFromFlags(cctx)
	if err != nil {
		return err
	}
	p := chain.DeployParams{MinStake: ms, UnbondingPeriod: unbonding, Accountability: acc}
	if admin != "" {
		if !common.IsHexAddress(admin) {
			return usagef("--admin %q is not an address", admin)
		}
		p.Admin = common.HexToAddress(admin)
	}
	addr, r, err := chain.Deploy(ctx, e.backend, signer, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "registry deployed at %s (block %d, tx %s)\n", addr, r.Block, r.TxHash)
	fmt.Fprintf(out, "set chain.registry = %q in validator.toml\n", addr.Hex())
	return nil
}

func cmdList(cctx *cli.Context) error {
	ctx, out, cf := cctx.Context, cctx.App.Writer, parseConfigFlags(cctx)
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

func cmdRegister(cctx *cli.Context) error {
	ctx, out, errOut, cf := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter, parseConfigFlags(cctx)
	stake, addrs, metadata := cctx.String("stake"), cctx.StringSlice("addr"), cctx.String("metadata")
	if stake == "" {
		return usagef("--stake is required")
	}
	amount, err := parseEther(stake)
	if err != nil {
		return usageError{error: err}
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
	id, r, err := tx.Register(ctx, key, addrs, metadata, amount)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "registered node %s with %s ETH (block %d, tx %s)\n", id, formatEther(amount), r.Block, r.TxHash)
	return nil
}

func cmdUpdate(cctx *cli.Context) error {
	ctx, out, errOut, cf := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter, parseConfigFlags(cctx)
	addrs, metadata, setMeta, nodeFlag := cctx.StringSlice("addr"), cctx.String("metadata"), cctx.IsSet("metadata"), cctx.String("node")
	if len(addrs) == 0 && !setMeta {
		return usagef("nothing to update: pass --addr and/or --metadata")
	}
	return withNodeTx(ctx, cf, nodeFlag, errOut, func(_ *chainEnv, tx *chain.Transactor, id common.Address) error {
		if len(addrs) > 0 {
			r, err := tx.UpdateAddrs(ctx, id, addrs)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "addresses of %s updated (block %d)\n", id, r.Block)
		}
		if setMeta {
			r, err := tx.UpdateMetadata(ctx, id, metadata)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "metadata of %s updated (block %d)\n", id, r.Block)
		}
		return nil
	})
}

func cmdExit(cctx *cli.Context) error {
	ctx, out, errOut, cf := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter, parseConfigFlags(cctx)
	nodeFlag := cctx.String("node")
	return withNodeTx(ctx, cf, nodeFlag, errOut, func(e *chainEnv, tx *chain.Transactor, id common.Address) error {
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

func cmdWithdraw(cctx *cli.Context) error {
	ctx, out, errOut, cf := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter, parseConfigFlags(cctx)
	nodeFlag := cctx.String("node")
	return withNodeTx(ctx, cf, nodeFlag, errOut, func(_ *chainEnv, tx *chain.Transactor, id common.Address) error {
		r, err := tx.Withdraw(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "stake of %s withdrawn to %s (block %d)\n", id, tx.Account(), r.Block)
		return nil
	})
}

func cmdSetRole(cctx *cli.Context) error {
	ctx, out, errOut, cf := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter, parseConfigFlags(cctx)
	nodeFlag, role := cctx.String("node"), cctx.String("role")
	if nodeFlag == "" {
		return usagef("--node is required")
	}
	rl, err := chain.ParseRole(role)
	if err != nil {
		return usageError{error: err}
	}
	return withNodeTx(ctx, cf, nodeFlag, errOut, func(_ *chainEnv, tx *chain.Transactor, id common.Address) error {
		r, err := tx.SetRole(ctx, id, rl)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "role of %s set to %s (block %d)\n", id, rl, r.Block)
		return nil
	})
}
