// Command validator runs and operates a validator network node: keys, staking
// and registration on the NodeRegistry, the daemon itself, an embedded devnet,
// and views of a running node through its local API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"validator/chain"
	"validator/node"
)

// version, when set at link time (-ldflags "-X main.version=v1.2.3"),
// overrides the module version Go stamps into the binary. commit and
// commitDate (RFC 3339), set the same way by scripts/release.sh, override the
// VCS stamp: a build from a source tarball has none.
var version, commit, commitDate string

// buildInfo is the binary's build information with the link-time values.
func buildInfo() node.BuildInfo {
	b := node.ReadBuildInfo()
	if version != "" {
		b.Version = version
	}
	if commit != "" && commit != b.Commit {
		b.Commit, b.Modified = commit, false
	}
	if t, err := time.Parse(time.RFC3339, commitDate); err == nil {
		b.CommitTime = t.UTC()
	}
	return b
}

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// run runs the command line args.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	app := newApp()
	app.Writer, app.ErrWriter = out, errOut
	return app.RunContext(ctx, append([]string{"validator"}, args...))
}

// exitCode reports err on w and returns the exit status: 0, 2 for usage
// errors, 1 for the rest.
func exitCode(err error, w io.Writer) int {
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		help := ue.help
		if help == "" {
			help = "validator help"
		}
		fmt.Fprintf(w, "validator: %v\nRun '%s' for usage.\n", err, help)
		return 2
	}
	fmt.Fprintf(w, "validator: %v\n", err)
	return 1
}

// configFlags are the config flags the operator set (parseConfigFlags).
type configFlags struct {
	file  string
	flags map[string]string // shorthand flags by dotted key
	sets  []string          // --set key=value
	// registryOptional: the command deploys the registry, so it may be unset.
	registryOptional bool
}

func (c *configFlags) load() (node.Config, error) {
	flags := maps.Clone(c.flags)
	for _, s := range c.sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return node.Config{}, usagef("--set %q: want section.key=value", s)
		}
		flags[k] = v
	}
	return node.LoadConfig(node.ConfigSources{File: c.file, Env: os.Environ(), Flags: flags, RegistryOptional: c.registryOptional})
}

func newLogger(cfg node.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

const shutdownTimeout = 30 * time.Second

func cmdStart(cctx *cli.Context) error {
	ctx, errOut := cctx.Context, cctx.App.ErrWriter
	cf := parseConfigFlags(cctx)
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, errOut)
	for _, w := range cfg.Warnings() {
		log.Warn(w)
	}
	return runDaemon(ctx, cfg, log, errOut)
}

// runDaemon runs the node until SIGINT or SIGTERM, or until one of its
// components fails: it returns that failure, naming the component, so the
// command prints it and exits non-zero.
func runDaemon(ctx context.Context, cfg node.Config, log *slog.Logger, errOut io.Writer) error {
	key, err := loadNodeKey(cfg.Keys.NodeKey)
	if err != nil {
		return err
	}
	opts := node.Options{Config: cfg, NodeKey: key, Version: buildInfo().Version, Logger: log, ShutdownTimeout: shutdownTimeout}
	if cfg.Accountability.Enabled && cfg.Accountability.Submit {
		if opts.Operator, err = loadReporter(cfg, errOut); err != nil {
			return fmt.Errorf("accountability.submit: %w", err)
		}
	}
	n, err := node.New(opts)
	if err != nil {
		return err
	}
	ctx, stop := signalContext(ctx)
	defer stop()
	return n.Run(ctx)
}

func cmdDevnet(cctx *cli.Context) error {
	ctx, out, errOut := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter
	n, rpc, dir, p2pBase, apiBase := cctx.Int("validators"), cctx.String("rpc"), cctx.String("dir"), cctx.Int("p2p-port"), cctx.Int("api-port")
	level, unbonding := cctx.String("log-level"), cctx.Duration("unbonding")
	acc, err := accountabilityFromFlags(cctx)
	if err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", level)
	}
	log := slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: lvl}))
	ctx, stop := signalContext(ctx)
	defer stop()
	d, err := node.StartDevnet(ctx, node.DevnetOptions{Validators: n, RPCAddr: rpc, Dir: dir, P2PBasePort: p2pBase, APIBasePort: apiBase, Logger: log, Version: buildInfo().Version, UnbondingPeriod: unbonding, Accountability: acc})
	if err != nil {
		return fmt.Errorf("devnet: %w", err)
	}
	fmt.Fprintf(out, "devnet running: chain ID 1337, RPC %s, registry %s\n", d.Chain.URL(), d.Registry)
	for i, v := range d.Nodes {
		id := v.Service().ID()
		fmt.Fprintf(out, "  validator %d  node %s  api http://%s  (metrics: /metrics, peers: validator peers --api %s)\n", i, id.NodeID, v.APIAddr(), v.APIAddr())
	}
	fmt.Fprintf(out, "  faucet %s: validator devnet fund --to <address> --eth <n>\n", chain.NewKeySigner(chain.DevnetDeployerKey).Address)
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := d.Close(sctx); err != nil {
		return fmt.Errorf("devnet shutdown: %w", err)
	}
	fmt.Fprintln(out, "devnet stopped")
	return nil
}

func cmdDevnetFund(cctx *cli.Context) error {
	ctx, out := cctx.Context, cctx.App.Writer
	to, amount, rpc := cctx.String("to"), cctx.String("eth"), cctx.String("rpc")
	if !common.IsHexAddress(to) {
		return usagef("--to %q: want an address (0x followed by 40 hex digits)", to)
	}
	if amount == "" {
		return usagef("--eth is required")
	}
	wei, err := parseEther(amount)
	if err != nil {
		return usageError{error: err}
	}
	c, err := chain.Dial(ctx, rpc, chain.DevnetChainID, chain.WithDialAttempts(3))
	if err != nil {
		return fmt.Errorf("%w (start one with `validator devnet`, or pass --rpc)", err)
	}
	defer c.Close()
	r, err := chain.Transfer(ctx, c, chain.NewKeySigner(chain.DevnetDeployerKey), common.HexToAddress(to), wei)
	if err != nil {
		return err
	}
	bal, err := c.BalanceAt(ctx, common.HexToAddress(to), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sent %s ETH to %s (block %d); its balance is %s ETH\n", formatEther(wei), common.HexToAddress(to), r.Block, formatEther(bal))
	return nil
}

func cmdConfigDump(cctx *cli.Context) error {
	out := cctx.App.Writer
	cf := parseConfigFlags(cctx)
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	b, err := cfg.Dump()
	if err != nil {
		return err
	}
	_, err = out.Write(b)
	return err
}

func cmdVersion(cctx *cli.Context) error {
	_, err := io.WriteString(cctx.App.Writer, buildInfo().String())
	return err
}
