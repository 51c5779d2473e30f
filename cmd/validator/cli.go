package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"validator/chain"
	"validator/node"
)

// The command tree. Each command lists only the flags its body reads; the
// bodies (cmdX) live next to the code they call and take the parsed
// *cli.Context. Help comes from the templates below: a command's Description
// is its long help and UsageText its examples, one a line.

func newApp() *cli.App {
	// go-ethereum's internal/flags (imported through its node package) sets
	// its own FlagStringer in an init; help here formats flags one way.
	cli.FlagStringer = flagString
	return &cli.App{
		Name:                      "validator",
		HelpName:                  "validator",
		Usage:                     "networking service for staked validators",
		HideHelpCommand:           true, // `validator help [command]` is the root action's
		HideVersion:               true, // `validator version` is a command
		DisableSliceFlagSeparator: true, // --set network.listen_addrs=/a,/b is one value
		CustomAppHelpTemplate:     appHelpTemplate,
		OnUsageError:              onUsageError,
		ExitErrHandler:            func(*cli.Context, error) {}, // run returns errors; main exits once
		Action:                    rootAction,
		Commands: []*cli.Command{
			command("init", "create a node key, an operator keystore and a commented validator.toml",
				"Create a node key (node.key), an operator keystore (operator.json, go-ethereum V3) and a commented validator.toml\nin --dir. The passphrase comes from --passphrase-file (its path is written to validator.toml), "+passphraseEnv+", or a prompt.\nThe node listens on --p2p-port (UDP for QUIC and TCP) and serves its API on 127.0.0.1:--api-port; the defaults lie\nabove the ports `validator devnet` takes (p2p 9000+i, API 7400+i), so a node made here runs next to a devnet.",
				"validator init --dir ./myvalidator --passphrase-file ./pass.txt",
				cmdInit,
				&cli.StringFlag{Name: "dir", Value: ".", Usage: "`directory` to create the files in"},
				&cli.StringFlag{Name: "passphrase-file", Usage: "`file` holding the keystore passphrase (written to validator.toml as keys.passphrase_file)"},
				&cli.IntFlag{Name: "p2p-port", Value: initP2PPort, Usage: "UDP (QUIC) and TCP `port` to listen on (network.listen_addrs)"},
				&cli.IntFlag{Name: "api-port", Value: initAPIPort, Usage: "`port` of the local API on 127.0.0.1 (api.listen)"},
				&cli.StringFlag{Name: "operator-key", Usage: "import this `hex` private key as the operator account instead of generating one"},
				&cli.BoolFlag{Name: "force", Usage: "overwrite existing files"},
			),
			command("start", "run the validator daemon",
				"Run the validator daemon: sync the registry, join the network, probe peers, serve the local API.\n"+precedenceHelp,
				"validator start --network devnet --config ./validator.toml\nvalidator start --config ./validator.toml --api-listen 127.0.0.1:7401 --set liveness.slow_rtt=300ms",
				cmdStart,
				configFlagsFor(daemonKeys...)...,
			),
			withSubcommands(command("devnet", "run an embedded dev chain with N registered validators",
				"Run an embedded Ethereum dev chain (JSON-RPC on --rpc), deploy the registry where the devnet preset expects it,\nregister N validators and run them in this process. Ctrl-C stops everything.\n`validator devnet fund --to <address> --eth <n>` sends ETH to an account on a running devnet\n(validator devnet fund --help).",
				"validator devnet --validators 4",
				cmdDevnet,
				append([]cli.Flag{&cli.IntFlag{Name: "validators", Value: 4, Usage: "number of validators"},
					&cli.StringFlag{Name: "rpc", Value: "127.0.0.1:8545", Usage: "`address` of the chain's JSON-RPC (HTTP and WebSocket)"},
					&cli.StringFlag{Name: "dir", Value: "devnet-data", Usage: "`directory` for the validators' data"},
					&cli.IntFlag{Name: "p2p-port", Value: 9000, Usage: "validator i listens on p2p-port+i (TCP and QUIC)"},
					&cli.IntFlag{Name: "api-port", Value: 7400, Usage: "validator i serves its API on 127.0.0.1:api-port+i"},
					&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error"},
					&cli.DurationFlag{Name: "unbonding", Value: node.DevnetUnbonding, Usage: "the registry's unbonding period (exit to withdraw)"}},
					accountabilityFlags(node.DevnetAccountability)...)...,
			),
				command("fund", "send ETH from the devnet faucet",
					"Send ETH on a running devnet from its faucet account (the published devnet deployer key, "+formatEther(node.DevnetFaucetBalance)+" ETH at genesis),\ne.g. to the operator address `validator init` printed. Dev chains only: the chain must have ID 1337.",
					"validator devnet fund --to 0x1111111111111111111111111111111111111111 --eth 33",
					cmdDevnetFund,
					&cli.StringFlag{Name: "to", Usage: "`address` to fund (required)"},
					&cli.StringFlag{Name: "eth", Usage: "`amount` in ETH (required), e.g. 33 for a 32 ETH stake and gas"},
					&cli.StringFlag{Name: "rpc", Value: chain.Devnet.RPCURL, Usage: "the devnet's JSON-RPC `endpoint`"},
				),
			),
			withSubcommands(&cli.Command{
				Name:        "registry",
				Usage:       "deploy the registry or list its nodes (registry deploy | registry list)",
				Description: "Deploy a NodeRegistry or list its active nodes; validator registry deploy --help and\nvalidator registry list --help show the flags.",
				UsageText:   "validator registry list --network devnet",
				Action:      subcommandAction("usage: validator registry deploy|list [flags]", "unknown registry command %q (want deploy or list)"),
			},
				command("deploy", "deploy a NodeRegistry",
					"Deploy a NodeRegistry from the operator account (or, on a dev chain, from the published devnet deployer key,\nwhich puts it at the devnet preset's address). Prints the address to put in chain.registry.",
					"validator registry deploy --config ./validator.toml --min-stake 32 --unbonding 72h",
					cmdDeploy,
					append(append(configFlagsFor(chainKeys...),
						&cli.StringFlag{Name: "min-stake", Value: "32", Usage: "minimum stake in `ETH`"},
						&cli.DurationFlag{Name: "unbonding", Value: 72 * time.Hour, Usage: "unbonding period before a withdrawal"},
						&cli.StringFlag{Name: "admin", Usage: "admin `address` that sets roles (default: the deployer)"},
						&cli.BoolFlag{Name: "devnet-deployer", Usage: "deploy from the published devnet deployer key (dev chains only)"},
					), accountabilityFlags(chain.DefaultAccountability)...)...,
				),
				command("list", "list the registry's active nodes",
					"List the registry's active nodes at the latest block: ID, operator, role, stake and addresses.",
					"validator registry list --network devnet",
					cmdList,
					configFlagsFor(chainKeys...)...,
				),
			),
			command("register", "stake and register this node's key",
				"Stake and register the configured node key from the operator account. The node key signs a proof of\npossession bound to this chain, registry and operator. --addr defaults to network.external_addrs.",
				"validator register --config ./validator.toml --stake 32 --addr /ip4/203.0.113.7/udp/9000/quic-v1",
				cmdRegister,
				append(configFlagsFor(chainKeys...),
					&cli.StringFlag{Name: "stake", Usage: "stake in `ETH` (at least the registry's minimum)"},
					&cli.StringSliceFlag{Name: "addr", Usage: "`multiaddr` to publish (repeatable)"},
					&cli.StringFlag{Name: "metadata", Usage: "free-form metadata (at most 1024 bytes)"},
				)...,
			),
			command("update", "update this node's registered addresses or metadata",
				"Replace the node's published addresses and/or metadata.",
				"validator update --config ./validator.toml --addr /ip4/203.0.113.8/tcp/9000",
				cmdUpdate,
				append(configFlagsFor(chainKeys...),
					&cli.StringSliceFlag{Name: "addr", Usage: "`multiaddr` to publish (repeatable; replaces all)"},
					&cli.StringFlag{Name: "metadata", Usage: "new metadata"},
					nodeFlag("node ID (default: the configured node key's)"),
				)...,
			),
			command("exit", "leave the active set (starts unbonding)",
				"Leave the active set at once; peers disconnect the node once the exit is confirmed. Unbonding starts.",
				"validator exit --config ./validator.toml",
				cmdExit,
				append(configFlagsFor(chainKeys...), nodeFlag("node ID (default: the configured node key's)"))...,
			),
			command("withdraw", "withdraw the stake after unbonding",
				"Return an exited node's stake to the operator once unbonding is over.",
				"validator withdraw --config ./validator.toml",
				cmdWithdraw,
				append(configFlagsFor(chainKeys...), nodeFlag("node ID (default: the configured node key's)"))...,
			),
			command("unjail", "return a jailed node to the active set after its jail period",
				"Return a node that a quorum of observers reported offline to the active set, once its jail period is over.\nThe stake left after slashing must reach the registry's minimum: --top-up adds to it. Peers accept the node\nagain once the unjail is confirmed; a running daemon rejoins by itself.",
				"validator unjail --config ./validator.toml --top-up 0.32",
				cmdUnjail,
				append(configFlagsFor(chainKeys...),
					&cli.StringFlag{Name: "top-up", Usage: "`ETH` to add to the stake (needed when slashing took it below the minimum)"},
					nodeFlag("node ID (default: the configured node key's)"),
				)...,
			),
			command("set-role", "set a node's role (registry admin only)",
				"Set a node's role; the operator account must be the registry admin.",
				"validator set-role --config ./admin.toml --node 0xabc... --role coordinator",
				cmdSetRole,
				append(configFlagsFor(chainKeys...),
					nodeFlag("node ID (required)"),
					&cli.StringFlag{Name: "role", Usage: "validator or coordinator"},
				)...,
			),
			command("peers", "list the peers of a running node",
				"List a running node's peers: connection, liveness state and reputation score.",
				"validator peers --api 127.0.0.1:7400",
				cmdPeers,
				apiFlag(), jsonFlag(),
			),
			command("status", "show the status of a running node",
				"Show a running node's status: identity, registry sync, peers, readiness.",
				"validator status --api 127.0.0.1:7400",
				cmdStatus,
				apiFlag(), jsonFlag(),
			),
			command("doctor", "check a node: registration, chain, sync, ports, every peer over QUIC and TCP, clock, disk",
				"Check a node and say, one line per check (ok, warn, fail, skip), what is wrong and what to do next: its registration\n(active, jailed, exited, stake), the RPC endpoint (chain ID, head), the daemon's registry sync, that this node holds each\nlisten address, each registered peer dialled over QUIC and over TCP with the node key (status handshake, RTT, whether it\ncan dial back), clock skew against peers' heartbeats, peers against api.min_peers, free disk, the store's schema.\nExits 1 if any check fails. Run it on the node's host with the daemon's configuration; the daemon should be running.",
				"validator doctor --config ./validator.toml\nvalidator doctor --config ./validator.toml --json --timeout 10s",
				cmdDoctor,
				append(configFlagsFor(networkKey, rpcURLKey, dataDirKey),
					&cli.StringFlag{Name: "api", Usage: "`address` of the node's local API (default: the configuration's api.listen)"},
					jsonFlag(),
					&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "bound each dial, handshake and RPC call by this `duration`"},
				)...,
			),
			command("reports", "show the offline attestations and reports a running node follows",
				"Show the registry's report parameters and, per node and report window, the offline attestations a running node\nkeeps, whether they reach the quorum, and the report transaction this node sent.",
				"validator reports --api 127.0.0.1:7400",
				cmdReports,
				apiFlag(), jsonFlag(),
			),
			command("evidence", "export a running node's signed liveness evidence about a peer",
				"Export a running node's liveness evidence about a peer as JSON signed by the node key, and verify it.",
				"validator evidence --peer 0xabc... --since 24h",
				cmdEvidence,
				apiFlag(),
				&cli.StringFlag{Name: "peer", Usage: "node `ID` of the observed peer (required)"},
				&cli.DurationFlag{Name: "since", Value: 24 * time.Hour, Usage: "how far back"},
			),
			withSubcommands(&cli.Command{
				Name:        "config",
				Usage:       "print the effective configuration (config dump)",
				Description: "Print the effective configuration; validator config dump --help shows the flags.",
				UsageText:   "validator config dump --config ./validator.toml",
				Action:      subcommandAction("usage: validator config dump [--config file] [flags]", "unknown config command %q (want dump)"),
			},
				command("dump", "print the effective configuration, secrets redacted",
					"Print the effective configuration, secrets redacted.\n"+precedenceHelp,
					"validator config dump --config ./validator.toml",
					cmdConfigDump,
					configFlagsFor(daemonKeys...)...,
				),
			),
			// Issue 14 (packaging): the container image's HEALTHCHECK.
			healthcheckCommand(),
			command("version", "print the version, commit and build toolchain",
				"Print the version, the git commit and its date, and the Go version the binary was built with.\nA binary built with `go build` or `go install` in a git checkout carries its commit; `go run` does not.",
				"validator version",
				cmdVersion,
			),
		},
	}
}

const precedenceHelp = "Each key comes from the first of: flags (--set or a shorthand), VALIDATOR_* environment, the --config file, defaults."

const appHelpTemplate = `{{.Name}}: {{.Usage}}

Usage: {{.HelpName}} <command> [flags]   ({{.HelpName}} <command> --help for details)

{{range .VisibleCommands}}  {{printf "%-10s" .Name}} {{.Usage}}
{{end}}
Quick start:  validator devnet --validators 4
`

// commandHelpTemplate: usage line, description, examples, subcommands, flags.
const commandHelpTemplate = `Usage: {{.HelpName}}{{if .VisibleCommands}} <command>{{end}} [flags]

{{.Description}}

Example:
{{indent 2 .UsageText}}
{{if .VisibleCommands}}
Commands:
{{range .VisibleCommands}}  {{printf "%-8s" .Name}} {{.Usage}}
{{end}}{{end}}{{if .VisibleFlags}}
Flags:
{{range .VisibleFlags}}  {{.}}
{{end}}{{end}}`

// command builds a command whose Action runs body and refuses positional
// arguments.
func command(name, usage, description, examples string, body cli.ActionFunc, flags ...cli.Flag) *cli.Command {
	return &cli.Command{
		Name:               name,
		Usage:              usage,
		Description:        description,
		UsageText:          examples,
		Flags:              flags,
		HideHelpCommand:    true,
		CustomHelpTemplate: commandHelpTemplate,
		OnUsageError:       onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return commandError(c, usagef("unexpected argument %q", c.Args().First()))
			}
			return commandError(c, body(c))
		},
	}
}

func withSubcommands(parent *cli.Command, subs ...*cli.Command) *cli.Command {
	parent.Subcommands = subs
	parent.HideHelpCommand = true
	parent.CustomHelpTemplate = commandHelpTemplate
	parent.OnUsageError = onUsageError
	return parent
}

// subcommandAction runs when a command with subcommands is given none, or
// an unknown one.
func subcommandAction(usage, unknown string) cli.ActionFunc {
	return func(c *cli.Context) error {
		if !c.Args().Present() {
			return commandError(c, usagef("%s", usage))
		}
		return commandError(c, usagef(unknown, c.Args().First()))
	}
}

// rootAction: `validator`, `validator help [command]` and unknown commands.
func rootAction(c *cli.Context) error {
	args := c.Args()
	switch {
	case !args.Present():
		_ = cli.ShowAppHelp(c)
		return usagef("no command")
	case args.First() == "help" && args.Len() == 1:
		return cli.ShowAppHelp(c)
	case args.First() == "help":
		if c.App.Command(args.Get(1)) == nil {
			return usagef("unknown command %q", args.Get(1))
		}
		return cli.ShowCommandHelp(c, args.Get(1))
	default:
		return usagef("unknown command %q", args.First())
	}
}

// usageError is a mistake on the command line: exit status 2 and a pointer
// to the help of the command it was made in.
type usageError struct {
	error
	help string // "validator register --help"; empty for the top level
}

func usagef(format string, a ...any) error { return usageError{error: fmt.Errorf(format, a...)} }

// onUsageError turns a flag parse error into a usage error of the command.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return commandError(c, usageError{error: err})
}

// commandError names the command's help in a usage error.
func commandError(c *cli.Context, err error) error {
	if ue, ok := err.(usageError); ok && ue.help == "" && c.Command != nil && c.Command.HelpName != "" && c.Command.HelpName != c.App.HelpName {
		ue.help = c.Command.HelpName + " --help"
		return ue
	}
	return err
}

// Config keys with a flag of their own (besides --set key=value), by command.
type shorthand struct{ flag, key, usage string }

var (
	networkKey = shorthand{"network", "chain.network", "network preset or name, e.g. devnet"}
	rpcURLKey  = shorthand{"rpc-url", "chain.rpc_url", "Ethereum JSON-RPC `endpoint`"}
	dataDirKey = shorthand{"data-dir", "store.data_dir", "data `directory`"}
	apiKey     = shorthand{"api-listen", "api.listen", "local API `address`"}
	logKey     = shorthand{"log-level", "log.level", "debug, info, warn or error"}

	// chainKeys: commands that send transactions or read the registry.
	chainKeys = []shorthand{networkKey, rpcURLKey}
	// daemonKeys: start and config dump.
	daemonKeys = []shorthand{networkKey, rpcURLKey, dataDirKey, apiKey, logKey}
	allKeys    = daemonKeys
)

// configFlagsFor are --config, the shorthands given and --set. None reads the
// environment itself: node.LoadConfig does, below the flags the operator set.
func configFlagsFor(keys ...shorthand) []cli.Flag {
	env := map[string]string{}
	for _, k := range node.ConfigKeys() {
		env[k.Key] = k.Env
	}
	fs := []cli.Flag{&cli.StringFlag{Name: "config", Usage: "TOML config `file` (default: none; defaults + VALIDATOR_* environment)"}}
	for _, k := range keys {
		usage := k.usage + " (" + k.key
		if e := env[k.key]; e != "" {
			usage += ", $" + e
		}
		fs = append(fs, &cli.StringFlag{Name: k.flag, Usage: usage + ")"})
	}
	return append(fs, &cli.StringSliceFlag{Name: "set", Usage: "set any config `key=value` (repeatable), e.g. --set liveness.slow_rtt=300ms"})
}

// parseConfigFlags collects the config flags the operator set.
func parseConfigFlags(c *cli.Context) *configFlags {
	cf := &configFlags{file: c.String("config"), flags: map[string]string{}, sets: c.StringSlice("set")}
	for _, k := range allKeys {
		if c.IsSet(k.flag) {
			cf.flags[k.key] = c.String(k.flag)
		}
	}
	return cf
}

func nodeFlag(usage string) cli.Flag {
	return &cli.StringFlag{Name: "node", Usage: strings.Replace(usage, "node ID", "node `ID`", 1)}
}

// apiFlag is the node API address: --api, else VALIDATOR_API_LISTEN, else the default.
func apiFlag() cli.Flag {
	return &cli.StringFlag{Name: "api", Value: node.DefaultConfig().API.Listen, EnvVars: []string{"VALIDATOR_API_LISTEN"}, Usage: "`address` of the node's local API (api.listen)"}
}

// apiAddr is --api; an empty VALIDATOR_API_LISTEN counts as unset, as before.
func apiAddr(c *cli.Context) string {
	if a := c.String("api"); a != "" {
		return a
	}
	return node.DefaultConfig().API.Listen
}

func jsonFlag() cli.Flag { return &cli.BoolFlag{Name: "json", Usage: "print JSON"} }

// flagString is one line of a command's flag list: names and placeholder, a
// tab, the usage with its default and environment variable.
func flagString(f cli.Flag) string {
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return f.String()
	}
	usage, placeholder := df.GetUsage(), ""
	if i := strings.IndexByte(usage, '`'); i >= 0 {
		if j := strings.IndexByte(usage[i+1:], '`'); j >= 0 {
			placeholder = usage[i+1 : i+1+j]
			usage = usage[:i] + placeholder + usage[i+2+j:]
		}
	}
	if df.TakesValue() && placeholder == "" {
		placeholder = "value"
	}
	if !df.TakesValue() {
		placeholder = ""
	}
	if d := df.GetDefaultText(); d != "" && df.TakesValue() {
		usage += " (default: " + d + ")"
	}
	if env := df.GetEnvVars(); len(env) > 0 {
		usage += " [$" + strings.Join(env, ", $") + "]"
	}
	return cli.FlagNamePrefixer(df.Names(), placeholder) + "\t" + usage
}
