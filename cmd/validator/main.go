// Command validator runs and operates a validator network node: keys, staking
// and registration on the NodeRegistry, the daemon itself, an embedded devnet,
// and views of a running node through its local API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/chain"
	"validator/node"
)

// version, when set at link time (-ldflags "-X main.version=v1.2.3"),
// overrides the module version Go stamps into the binary.
var version string

// buildInfo is the binary's build information with the link-time version.
func buildInfo() node.BuildInfo {
	b := node.ReadBuildInfo()
	if version != "" {
		b.Version = version
	}
	return b
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(os.Stderr, "validator: %v\nRun 'validator help' for usage.\n", err)
		os.Exit(2)
	}
	fmt.Fprintf(os.Stderr, "validator: %v\n", err)
	os.Exit(1)
}

type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out, errOut io.Writer) error
}

func commands() []command {
	return []command{
		{"init", "create a node key, an operator keystore and a commented validator.toml", cmdInit},
		{"start", "run the validator daemon", cmdStart},
		{"devnet", "run an embedded dev chain with N registered validators", cmdDevnet},
		{"registry", "deploy the registry or list its nodes (registry deploy | registry list)", cmdRegistry},
		{"register", "stake and register this node's key", cmdRegister},
		{"update", "update this node's registered addresses or metadata", cmdUpdate},
		{"exit", "leave the active set (starts unbonding)", cmdExit},
		{"withdraw", "withdraw the stake after unbonding", cmdWithdraw},
		{"set-role", "set a node's role (registry admin only)", cmdSetRole},
		{"peers", "list the peers of a running node", cmdPeers},
		{"status", "show the status of a running node", cmdStatus},
		{"evidence", "export a running node's signed liveness evidence about a peer", cmdEvidence},
		{"config", "print the effective configuration (config dump)", cmdConfig},
		{"version", "print the version, commit and build toolchain", cmdVersion},
	}
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		if len(args) == 0 {
			return usagef("no command")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], out, errOut)
		}
	}
	return usagef("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "validator: networking service for staked validators")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: validator <command> [flags]   (validator <command> --help for details)")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Quick start:  validator devnet --validators 4")
}

// newFlags makes a flag set whose --help prints a description and an example.
func newFlags(name, desc, example string, errOut io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "Usage: validator %s [flags]\n\n%s\n\nExample:\n  %s\n\nFlags:\n", name, desc, example)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; a bad flag is a usage error, --help is not an error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// configFlags are the flags every config-reading command shares.
type configFlags struct {
	file    string
	network string
	rpcURL  string
	dataDir string
	api     string
	logLvl  string
	sets    multiFlag
	// registryOptional: the command deploys the registry, so it may be unset.
	registryOptional bool
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "config", "", "TOML config file (default: none; defaults + VALIDATOR_* environment)")
	fs.StringVar(&c.network, "network", "", "network preset or name (chain.network), e.g. devnet")
	fs.StringVar(&c.rpcURL, "rpc-url", "", "Ethereum JSON-RPC endpoint (chain.rpc_url)")
	fs.StringVar(&c.dataDir, "data-dir", "", "data directory (store.data_dir)")
	fs.StringVar(&c.api, "api-listen", "", "local API address (api.listen)")
	fs.StringVar(&c.logLvl, "log-level", "", "debug, info, warn or error (log.level)")
	fs.Var(&c.sets, "set", "override any config key: --set section.key=value (repeatable)")
}

func (c *configFlags) load() (node.Config, error) {
	flags := map[string]string{}
	for k, v := range map[string]string{"chain.network": c.network, "chain.rpc_url": c.rpcURL, "store.data_dir": c.dataDir, "api.listen": c.api, "log.level": c.logLvl} {
		if v != "" {
			flags[k] = v
		}
	}
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

func cmdStart(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("start", "Run the validator daemon: sync the registry, join the network, probe peers, serve the local API.",
		"validator start --network devnet --config ./validator.toml", errOut)
	var cf configFlags
	cf.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, errOut)
	for _, w := range cfg.Warnings() {
		log.Warn(w)
	}
	return runDaemon(ctx, cfg, log)
}

// runDaemon runs the node until SIGINT or SIGTERM, or until one of its
// components fails: it returns that failure, naming the component, so the
// command prints it and exits non-zero.
func runDaemon(ctx context.Context, cfg node.Config, log *slog.Logger) error {
	key, err := loadNodeKey(cfg.Keys.NodeKey)
	if err != nil {
		return err
	}
	n, err := node.New(node.Options{Config: cfg, NodeKey: key, Version: buildInfo().Version, Logger: log, ShutdownTimeout: shutdownTimeout})
	if err != nil {
		return err
	}
	ctx, stop := signalContext(ctx)
	defer stop()
	return n.Run(ctx)
}

func cmdDevnet(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) > 0 && args[0] == "fund" {
		return cmdDevnetFund(ctx, args[1:], out, errOut)
	}
	fs := newFlags("devnet", "Run an embedded Ethereum dev chain (JSON-RPC on --rpc), deploy the registry where the devnet preset expects it,\nregister N validators and run them in this process. Ctrl-C stops everything.\n`validator devnet fund --to <address> --eth <n>` sends ETH to an account on a running devnet\n(validator devnet fund --help).",
		"validator devnet --validators 4", errOut)
	n := fs.Int("validators", 4, "number of validators")
	rpc := fs.String("rpc", "127.0.0.1:8545", "address of the chain's JSON-RPC (HTTP and WebSocket)")
	dir := fs.String("dir", "devnet-data", "directory for the validators' data")
	p2pBase := fs.Int("p2p-port", 9000, "validator i listens on p2p-port+i (TCP and QUIC)")
	apiBase := fs.Int("api-port", 7400, "validator i serves its API on 127.0.0.1:api-port+i")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	unbonding := fs.Duration("unbonding", node.DevnetUnbonding, "the registry's unbonding period (exit to withdraw)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", *level)
	}
	log := slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: lvl}))
	ctx, stop := signalContext(ctx)
	defer stop()
	d, err := node.StartDevnet(ctx, node.DevnetOptions{Validators: *n, RPCAddr: *rpc, Dir: *dir, P2PBasePort: *p2pBase, APIBasePort: *apiBase, Logger: log, Version: buildInfo().Version, UnbondingPeriod: *unbonding})
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

func cmdDevnetFund(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("devnet fund", "Send ETH on a running devnet from its faucet account (the published devnet deployer key, "+formatEther(node.DevnetFaucetBalance)+" ETH at genesis),\ne.g. to the operator address `validator init` printed. Dev chains only: the chain must have ID 1337.",
		"validator devnet fund --to 0x1111111111111111111111111111111111111111 --eth 33", errOut)
	to := fs.String("to", "", "address to fund (required)")
	amount := fs.String("eth", "", "amount in ETH (required), e.g. 33 for a 32 ETH stake and gas")
	rpc := fs.String("rpc", chain.Devnet.RPCURL, "the devnet's JSON-RPC endpoint")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !common.IsHexAddress(*to) {
		return usagef("--to %q: want an address (0x followed by 40 hex digits)", *to)
	}
	if *amount == "" {
		return usagef("--eth is required")
	}
	wei, err := parseEther(*amount)
	if err != nil {
		return usageError{err}
	}
	c, err := chain.Dial(ctx, *rpc, chain.DevnetChainID, chain.WithDialAttempts(3))
	if err != nil {
		return fmt.Errorf("%w (start one with `validator devnet`, or pass --rpc)", err)
	}
	defer c.Close()
	r, err := chain.Transfer(ctx, c, chain.NewKeySigner(chain.DevnetDeployerKey), common.HexToAddress(*to), wei)
	if err != nil {
		return err
	}
	bal, err := c.BalanceAt(ctx, common.HexToAddress(*to), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sent %s ETH to %s (block %d); its balance is %s ETH\n", formatEther(wei), common.HexToAddress(*to), r.Block, formatEther(bal))
	return nil
}

func cmdConfig(ctx context.Context, args []string, out, errOut io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(errOut, "Usage: validator config dump [flags]\n\nPrint the effective configuration; validator config dump --help shows the flags.\n\nExample:\n  validator config dump --config ./validator.toml\n")
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "dump" {
		return usagef("usage: validator config dump [--config file] [flags]")
	}
	fs := newFlags("config dump", "Print the effective configuration (defaults < file < VALIDATOR_* environment < flags), secrets redacted.",
		"validator config dump --config ./validator.toml", errOut)
	var cf configFlags
	cf.register(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
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

func cmdVersion(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("version", "Print the version, the git commit and its date, and the Go version the binary was built with.\nA binary built with `go build` or `go install` in a git checkout carries its commit; `go run` does not.", "validator version", errOut)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := io.WriteString(out, buildInfo().String())
	return err
}
