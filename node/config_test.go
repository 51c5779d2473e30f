package node_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"validator/node"
)

const (
	cfgPeerA = "/ip4/10.0.0.2/udp/9000/quic-v1/p2p/16Uiu2HAm2twgJwLB9ik9fRtrvaYQpL9HkGEhxnK8k29F2frqskQn"
	cfgPeerB = "/dns4/boot-2.example.org/tcp/9000/p2p/16Uiu2HAkzTHWRFFF8nfxSh74dGckvvvxamkz2UnEH7jURMyZQsib"
)

// cfgWrite writes a config file into dir and returns its path.
func cfgWrite(t *testing.T, dir, content string) string {
	t.Helper()
	p := filepath.Join(dir, "validator.toml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// cfgWantErr fails unless err is non-nil and contains every want.
func cfgWantErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not contain %q:\n%v", w, err)
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	cases := []struct {
		key                       string // dotted
		file                      string // TOML value
		env, flag                 string
		get                       func(node.Config) any
		wantFile, wantEnv, wantFl any
	}{
		{
			key: "chain.rpc_url", file: `"http://file.example:8545"`, env: "http://env.example:8545", flag: "wss://flag.example",
			get:      func(c node.Config) any { return c.Chain.RPCURL },
			wantFile: "http://file.example:8545", wantEnv: "http://env.example:8545", wantFl: "wss://flag.example",
		},
		{
			key: "log.level", file: `"debug"`, env: "warn", flag: "error",
			get:      func(c node.Config) any { return c.Log.Level },
			wantFile: "debug", wantEnv: "warn", wantFl: "error",
		},
		{
			key: "network.max_connections", file: `100`, env: "200", flag: "300",
			get:      func(c node.Config) any { return c.Network.MaxConnections },
			wantFile: 100, wantEnv: 200, wantFl: 300,
		},
		{
			key: "chain.confirmations", file: `1`, env: "2", flag: "3",
			get:      func(c node.Config) any { return c.Chain.Confirmations },
			wantFile: uint64(1), wantEnv: uint64(2), wantFl: uint64(3),
		},
		{
			key: "api.max_body_bytes", file: `1000`, env: "2000", flag: "3000",
			get:      func(c node.Config) any { return c.API.MaxBodyBytes },
			wantFile: int64(1000), wantEnv: int64(2000), wantFl: int64(3000),
		},
		{
			key: "liveness.slow_rtt", file: `"100ms"`, env: "200ms", flag: "1.5s",
			get:      func(c node.Config) any { return c.Liveness.SlowRTT.D() },
			wantFile: 100 * time.Millisecond, wantEnv: 200 * time.Millisecond, wantFl: 1500 * time.Millisecond,
		},
		{
			key: "network.bootstrap_peers", file: `["` + cfgPeerA + `"]`, env: cfgPeerA + " , " + cfgPeerB, flag: cfgPeerB,
			get:      func(c node.Config) any { return c.Network.BootstrapPeers },
			wantFile: []string{cfgPeerA}, wantEnv: []string{cfgPeerA, cfgPeerB}, wantFl: []string{cfgPeerB},
		},
		{
			key: "network.listen_addrs", file: `["/ip4/127.0.0.1/tcp/1"]`, env: "/ip4/127.0.0.1/tcp/2", flag: "/ip4/127.0.0.1/tcp/3,/ip4/127.0.0.1/udp/3/quic-v1",
			get:      func(c node.Config) any { return c.Network.ListenAddrs },
			wantFile: []string{"/ip4/127.0.0.1/tcp/1"}, wantEnv: []string{"/ip4/127.0.0.1/tcp/2"}, wantFl: []string{"/ip4/127.0.0.1/tcp/3", "/ip4/127.0.0.1/udp/3/quic-v1"},
		},
		{
			key: "chain.finalized", file: `true`, env: "false", flag: "true",
			get:      func(c node.Config) any { return c.Chain.Finalized },
			wantFile: true, wantEnv: false, wantFl: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			sec, name, _ := strings.Cut(tc.key, ".")
			file := cfgWrite(t, t.TempDir(), fmt.Sprintf("[%s]\n%s = %s\n", sec, name, tc.file))
			env := []string{"VALIDATOR_" + strings.ToUpper(sec+"_"+name) + "=" + tc.env, "PATH=/bin"}
			flags := map[string]string{tc.key: tc.flag}

			def, err := node.LoadConfig(node.ConfigSources{})
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(tc.get(def), tc.wantFile) {
				t.Fatalf("test value %v equals the default; pick another", tc.wantFile)
			}
			for _, layer := range []struct {
				name string
				src  node.ConfigSources
				want any
			}{
				{"file over defaults", node.ConfigSources{File: file}, tc.wantFile},
				{"env over file", node.ConfigSources{File: file, Env: env}, tc.wantEnv},
				{"flag over env", node.ConfigSources{File: file, Env: env, Flags: flags}, tc.wantFl},
				{"flag over defaults", node.ConfigSources{Flags: flags}, tc.wantFl},
			} {
				cfg, err := node.LoadConfig(layer.src)
				if err != nil {
					t.Fatalf("%s: %v", layer.name, err)
				}
				if got := tc.get(cfg); !reflect.DeepEqual(got, layer.want) {
					t.Errorf("%s: %s = %#v, want %#v", layer.name, tc.key, got, layer.want)
				}
			}
		})
	}
}

func TestConfigUnknownFileKey(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"misspelt key", "[chain]\nnetwork = \"devnet\"\n\n[network]\nmax_conections = 10\n",
			[]string{`"network.max_conections"`, "line 5", "did you mean network.max_connections"}},
		{"unknown section", "[log]\nlevel = \"info\"\n[netwrk]\nmax_connections = 10\ntarget_peers = 2\n",
			[]string{`section "netwrk"`, "line 3"}},
		{"top-level key", "\nfoo = 1\n[log]\nlevel = \"info\"\n", []string{`unknown key "foo"`, "line 2"}},
		{"section as a key", "network = \"devnet\"\n", []string{"line 1", "network is a section", "[network]"}},
		{"two unknown keys", "[api]\nlisten = \"127.0.0.1:1\"\nlistn = \"x\"\n[log]\nlevle = \"debug\"\n",
			[]string{`"api.listn"`, "line 3", `"log.levle"`, "line 5", "did you mean log.level"}},
		{"wrong type", "[network]\n\nmax_connections = \"lots\"\n",
			[]string{"line 3", "network.max_connections: got a TOML string; want an integer such as 64"}},
		{"bad duration", "[liveness]\nslow_rtt = \"fast\"\n",
			[]string{"line 2", "liveness.slow_rtt", `invalid duration "fast"`, "want a duration such as '500ms'"}},
		{"syntax error", "[chain\n", []string{"line 1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := cfgWrite(t, t.TempDir(), tc.doc)
			_, err := node.LoadConfig(node.ConfigSources{File: file})
			cfgWantErr(t, err, append(tc.want, file)...)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := node.LoadConfig(node.ConfigSources{File: filepath.Join(t.TempDir(), "nope.toml")})
		cfgWantErr(t, err, "nope.toml")
	})
}

func TestConfigUnknownEnv(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want []string // empty: no error
	}{
		{"typo in key", []string{"VALIDATOR_CHAIN_RPCURL=http://x"}, []string{"VALIDATOR_CHAIN_RPCURL", "did you mean VALIDATOR_CHAIN_RPC_URL"}},
		{"typo in section", []string{"VALIDATOR_NETWRK_MAX_CONNECTIONS=10"}, []string{"VALIDATOR_NETWRK_MAX_CONNECTIONS"}},
		{"all named", []string{"VALIDATOR_LOG_LEVL=debug", "VALIDATOR_API_LISTN=x"}, []string{"VALIDATOR_LOG_LEVL", "VALIDATOR_API_LISTN"}},
		{"bad value", []string{"VALIDATOR_NETWORK_MAX_CONNECTIONS=many"}, []string{"VALIDATOR_NETWORK_MAX_CONNECTIONS", "network.max_connections", `"many" is not an integer`}},
		{"bad bool", []string{"VALIDATOR_CHAIN_FINALIZED=yes please"}, []string{"VALIDATOR_CHAIN_FINALIZED", "true or false"}},
		{"passphrase and test switches are not keys", []string{"VALIDATOR_KEYS_PASSPHRASE=hunter2", "VALIDATOR_REQUIRE_GETH=1", "VALIDATOR_REQUIRE_NETNS=1"}, nil},
		{"other shapes and prefixes are ignored", []string{"VALIDATOR_HOME=/x", "VALIDATOR=1", "validator_log_level=nonsense", "HOME=/root", "NOEQUALS"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := node.LoadConfig(node.ConfigSources{Env: tc.env})
			if len(tc.want) > 0 {
				cfgWantErr(t, err, tc.want...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg, node.DefaultConfig()) {
				t.Errorf("ignored variables changed the config:\n%+v", cfg)
			}
			dump, err := cfg.Dump()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(dump, []byte("hunter2")) {
				t.Error("the passphrase reached the dump")
			}
		})
	}
}

func TestConfigUnknownFlag(t *testing.T) {
	cases := []struct {
		name  string
		flags map[string]string
		want  []string
	}{
		{"misspelt", map[string]string{"network.max_conns": "10"}, []string{"network.max_conns"}},
		{"close typo suggested", map[string]string{"api.lissen": "127.0.0.1:1"}, []string{"api.lissen", "did you mean api.listen"}},
		{"section only", map[string]string{"chain": "devnet"}, []string{`chain`}},
		{"env-style name", map[string]string{"VALIDATOR_LOG_LEVEL": "debug"}, []string{"VALIDATOR_LOG_LEVEL"}},
		{"known and unknown", map[string]string{"log.level": "debug", "log.colour": "on", "zz.top": "1"}, []string{"log.colour", "zz.top"}},
		{"bad value", map[string]string{"liveness.ping_interval": "10"}, []string{"flag liveness.ping_interval", `"10" is not a duration`, `"10s"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := node.LoadConfig(node.ConfigSources{Flags: tc.flags})
			cfgWantErr(t, err, tc.want...)
		})
	}
}

func TestConfigBadValues(t *testing.T) {
	cases := []struct {
		name  string
		flags map[string]string
		want  []string
	}{
		{"negative duration", map[string]string{"liveness.slow_rtt": "-1s"},
			[]string{`liveness.slow_rtt: "-1s" must be a positive duration such as "500ms" (set by flag liveness.slow_rtt)`}},
		{"zero duration", map[string]string{"network.idle_timeout": "0s"}, []string{`network.idle_timeout: "0s" must be a positive duration`}},
		{"negative retention", map[string]string{"store.retention": "-720h"}, []string{"store.retention:", "positive duration"}},
		{"unparsable listen addr", map[string]string{"network.listen_addrs": "/ip4/0.0.0.0/udp/9000/quic-v1,/ip4/0.0.0.0/tcp/port"},
			[]string{`network.listen_addrs[1]: "/ip4/0.0.0.0/tcp/port" is not a multiaddr`}},
		{"no listen addrs", map[string]string{"network.listen_addrs": ""}, []string{"network.listen_addrs: must list at least one"}},
		{"listen addr with peer ID", map[string]string{"network.listen_addrs": cfgPeerA}, []string{"network.listen_addrs[0]", "/p2p/"}},
		{"unparsable external addr", map[string]string{"network.external_addrs": "example.org:9000"}, []string{`network.external_addrs[0]: "example.org:9000" is not a multiaddr`}},
		{"bootstrap peer without /p2p/", map[string]string{"network.bootstrap_peers": cfgPeerA + ",/ip4/10.0.0.3/tcp/9000"},
			[]string{`network.bootstrap_peers[1]: "/ip4/10.0.0.3/tcp/9000" has no /p2p/<peer ID>`}},
		{"bootstrap peer without address", map[string]string{"network.bootstrap_peers": "/p2p/16Uiu2HAm2twgJwLB9ik9fRtrvaYQpL9HkGEhxnK8k29F2frqskQn"},
			[]string{"network.bootstrap_peers[0]", "no address before /p2p/"}},
		{"bootstrap peer with bad ID", map[string]string{"network.bootstrap_peers": "/ip4/10.0.0.3/tcp/9000/p2p/notapeer"},
			[]string{"network.bootstrap_peers[0]", "not a multiaddr"}},
		{"short registry", map[string]string{"chain.registry": "0x1234"}, []string{`chain.registry: "0x1234" is not a contract address`}},
		{"registry without 0x", map[string]string{"chain.registry": "5fbdb2315678afecb367f032d93f642f64180aa3"}, []string{"chain.registry:", "0x followed by 40 hex digits"}},
		{"registry not hex", map[string]string{"chain.registry": "0x5fbdb2315678afecb367f032d93f642f64180aaz"}, []string{"chain.registry:", "not a contract address"}},
		{"zero registry", map[string]string{"chain.registry": "0x0000000000000000000000000000000000000000"}, []string{"chain.registry:", "zero address"}},
		{"registry with bad checksum", map[string]string{"chain.registry": "0x5fbDB2315678afecb367f032d93F642f64180aa3"}, []string{"chain.registry:", "EIP-55", "expected 0x5FbDB2315678afecb367f032d93F642f64180aa3"}},
		{"stall_after below the poll rounds", map[string]string{"chain.stall_after": "1s"}, []string{`chain.stall_after: "1s" must be at least "3s"`}},
		{"zero stall_after", map[string]string{"chain.stall_after": "0s"}, []string{`chain.stall_after: "0s" must be a positive duration such as "2m0s"`}},
		{"bad log level", map[string]string{"log.level": "verbose"}, []string{`log.level: "verbose" must be debug, info, warn or error`}},
		{"bad log format", map[string]string{"log.format": "xml"}, []string{`log.format: "xml" must be text or json`}},
		{"rpc scheme", map[string]string{"chain.rpc_url": "ftp://rpc.example.org"}, []string{"chain.rpc_url:", `scheme "ftp" is not supported`}},
		{"rpc without host", map[string]string{"chain.rpc_url": "http:///path"}, []string{"chain.rpc_url:", "no host"}},
		{"rpc error hides credentials", map[string]string{"chain.rpc_url": "ftp://alice:hunter2@rpc.example.org"}, []string{"chain.rpc_url:", "REDACTED"}},
		{"bad network name", map[string]string{"chain.network": "Acme Net"}, []string{`chain.network: "Acme Net" must be 1-32 lowercase`}},
		{"custom network needs chain settings", map[string]string{"chain.network": "acme"},
			[]string{"chain.chain_id: must be set for custom network", "chain.rpc_url: must be set", "chain.registry: must be set"}},
		{"max_connections", map[string]string{"network.max_connections": "1"}, []string{"network.max_connections: 1 must be at least 2"}},
		{"target_peers above max", map[string]string{"network.target_peers": "65"}, []string{"network.target_peers: 65 must be between 1 and network.max_connections (64)"}},
		{"target_peers zero", map[string]string{"network.target_peers": "0"}, []string{"network.target_peers: 0"}},
		{"addr_expiry not after heartbeats", map[string]string{"network.addr_expiry": "10s"}, []string{"network.addr_expiry:", "longer than network.heartbeat_interval"}},
		{"heartbeat above max message", map[string]string{"gossip.heartbeat_max_bytes": "70000"}, []string{"gossip.heartbeat_max_bytes: 70000 must not exceed gossip.max_message_bytes (65536)"}},
		{"max message too large", map[string]string{"gossip.max_message_bytes": "100000000"}, []string{"gossip.max_message_bytes:", "limit"}},
		{"max message zero", map[string]string{"gossip.max_message_bytes": "0"}, []string{"gossip.max_message_bytes: 0 must be a positive number of bytes"}},
		{"ping timeout not below interval", map[string]string{"liveness.ping_timeout": "10s"}, []string{"liveness.ping_timeout:", "shorter than liveness.ping_interval"}},
		{"slow_rtt not below timeout", map[string]string{"liveness.slow_rtt": "5s"}, []string{"liveness.slow_rtt:", "shorter than liveness.ping_timeout"}},
		{"offline_after", map[string]string{"liveness.offline_after": "0"}, []string{"liveness.offline_after: 0 must be at least 1"}},
		{"summary shorter than ping", map[string]string{"liveness.summary_interval": "1s"}, []string{"liveness.summary_interval:", "at least liveness.ping_interval"}},
		{"api listen", map[string]string{"api.listen": "7400"}, []string{`api.listen: "7400" is not host:port`}},
		{"api port", map[string]string{"api.listen": "127.0.0.1:99999"}, []string{"api.listen:", "port in 0-65535"}},
		{"min_peers above target", map[string]string{"api.min_peers": "17"}, []string{"api.min_peers: 17 must be between 0 and network.target_peers (16)"}},
		{"empty node key", map[string]string{"keys.node_key": ""}, []string{"keys.node_key: must be set"}},
		{"all errors at once", map[string]string{"log.level": "loud", "liveness.offline_after": "-1", "network.bootstrap_peers": "nope"},
			[]string{"log.level:", "liveness.offline_after:", "network.bootstrap_peers[0]:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := node.LoadConfig(node.ConfigSources{Flags: tc.flags})
			cfgWantErr(t, err, tc.want...)
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error shows a credential: %v", err)
			}
		})
	}

	t.Run("Validate names keys without a source", func(t *testing.T) {
		c := node.DefaultConfig()
		c.Liveness.SlowRTT = node.Duration(-time.Second)
		c.Log.Level = "trace"
		err := c.Validate()
		cfgWantErr(t, err, `liveness.slow_rtt: "-1s" must be a positive duration such as "500ms"`, `log.level: "trace"`)
		if strings.Contains(err.Error(), "set by") {
			t.Errorf("Validate invented a source: %v", err)
		}
	})
	t.Run("the source is named", func(t *testing.T) {
		file := cfgWrite(t, t.TempDir(), "[liveness]\noffline_after = 0\n")
		_, err := node.LoadConfig(node.ConfigSources{File: file, Env: []string{"VALIDATOR_LOG_LEVEL=loud"}})
		cfgWantErr(t, err, "liveness.offline_after: 0 must be at least 1, such as 3 (set in "+file+")", `log.level: "loud" must be debug, info, warn or error (set by VALIDATOR_LOG_LEVEL)`)
	})
	t.Run("good values pass", func(t *testing.T) {
		for _, flags := range []map[string]string{
			{"chain.network": "acme-1", "chain.chain_id": "1", "chain.rpc_url": "wss://eth.example.org/ws", "chain.registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3"},
			{"chain.registry": "0x5fbdb2315678afecb367f032d93f642f64180aa3", "network.bootstrap_peers": cfgPeerA + "," + cfgPeerB},
			{"network.max_connections": "2", "network.target_peers": "2", "api.min_peers": "0", "api.listen": "[::1]:0"},
			{"liveness.ping_interval": "2s", "liveness.ping_timeout": "1999ms", "liveness.slow_rtt": "1ms", "liveness.summary_interval": "2s", "store.retention": "2s"},
			{"gossip.max_message_bytes": "4096", "gossip.heartbeat_max_bytes": "4096", "log.level": "debug", "log.format": "json"},
		} {
			if _, err := node.LoadConfig(node.ConfigSources{Flags: flags}); err != nil {
				t.Errorf("%v: %v", flags, err)
			}
		}
	})
}

func TestConfigRelativePaths(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(t.TempDir(), "op.json")
	cases := []struct {
		name    string
		file    string // "" for no file
		env     []string
		flags   map[string]string
		want    func(dir string) map[string]string // dir: the file's directory
		getPath map[string]func(node.Config) string
	}{
		{
			name: "file paths against the file's directory",
			file: "[keys]\nnode_key = \"k/node.key\"\noperator_keystore = \"" + abs + "\"\npassphrase_file = \"../pass\"\n[store]\ndata_dir = \"./state\"\n",
			want: func(dir string) map[string]string {
				return map[string]string{"node_key": filepath.Join(dir, "k/node.key"), "operator_keystore": abs,
					"passphrase_file": filepath.Join(filepath.Dir(dir), "pass"), "data_dir": filepath.Join(dir, "state")}
			},
		},
		{
			name: "defaults against the file's directory; empty stays empty",
			file: "[log]\nlevel = \"info\"\n",
			want: func(dir string) map[string]string {
				return map[string]string{"node_key": filepath.Join(dir, "node.key"), "operator_keystore": filepath.Join(dir, "operator.json"),
					"passphrase_file": "", "data_dir": filepath.Join(dir, "data")}
			},
		},
		{
			name:  "env and flags against the working directory",
			file:  "[keys]\nnode_key = \"file.key\"\n",
			env:   []string{"VALIDATOR_KEYS_NODE_KEY=env.key", "VALIDATOR_STORE_DATA_DIR=envdata"},
			flags: map[string]string{"store.data_dir": "flagdata", "keys.passphrase_file": "p/pass"},
			want: func(dir string) map[string]string {
				return map[string]string{"node_key": filepath.Join(wd, "env.key"), "operator_keystore": filepath.Join(dir, "operator.json"),
					"passphrase_file": filepath.Join(wd, "p/pass"), "data_dir": filepath.Join(wd, "flagdata")}
			},
		},
		{
			name:  "no file: paths as given",
			flags: map[string]string{"store.data_dir": "flagdata"},
			want: func(string) map[string]string {
				return map[string]string{"node_key": "node.key", "operator_keystore": "operator.json", "passphrase_file": "", "data_dir": "flagdata"}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "conf")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			src := node.ConfigSources{Env: tc.env, Flags: tc.flags}
			if tc.file != "" {
				src.File = cfgWrite(t, dir, tc.file)
			}
			cfg, err := node.LoadConfig(src)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{"node_key": cfg.Keys.NodeKey, "operator_keystore": cfg.Keys.OperatorKeystore,
				"passphrase_file": cfg.Keys.PassphraseFile, "data_dir": cfg.Store.DataDir}
			if want := tc.want(dir); !reflect.DeepEqual(got, want) {
				t.Errorf("paths\n got %v\nwant %v", got, want)
			}
		})
	}
	t.Run("relative file name", func(t *testing.T) {
		dir := t.TempDir()
		cfgWrite(t, dir, "")
		t.Chdir(dir)
		cfg, err := node.LoadConfig(node.ConfigSources{File: "validator.toml"})
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, "node.key"); cfg.Keys.NodeKey != want {
			t.Errorf("node_key %q, want %q", cfg.Keys.NodeKey, want)
		}
	})
}

// cfgCustom is a configuration that differs from the defaults in every section.
func cfgCustom(t *testing.T, dir string) node.Config {
	t.Helper()
	file := cfgWrite(t, dir, `
[chain]
network = "acme-mainnet"
rpc_url = "https://eth.example.org:8443/rpc"
chain_id = 1
registry = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
confirmations = 12
finalized = true
[keys]
node_key = "keys/node.key"
passphrase_file = "/run/secrets/pass"
[network]
listen_addrs = ["/ip4/0.0.0.0/tcp/9100"]
external_addrs = ["/dns4/v1.example.org/tcp/9100", "/ip6/2001:db8::1/udp/9100/quic-v1"]
bootstrap_peers = ["`+cfgPeerA+`", "`+cfgPeerB+`"]
max_connections = 200
target_peers = 50
idle_timeout = "90s"
heartbeat_interval = "15s"
addr_expiry = "2m30s"
dht_refresh = "1m"
mdns = true
discv5 = true
discv5_port = 9300
discv5_bootnodes = ["enr:-L64QPJ6X2WDnXkKObZ6OB2lpH-aN9SccPaJgLs-__a7a4eUAYYZfZeOOb9CCUX-_hWfT2INEDKXreQFU1vT95iLURaGAaI_v2GjgmlkgnY0gmlwhH8AAAGEcXVpY4KY24lzZWNwMjU2azGhA28MX_fBGkuLSOGLRRvcRzzSpIadtSx2X9ja0Mqu4jzYg3RjcIKGB4N1ZHCCqTWDdmxk4Id0ZXN0bmV0ggU5lD7ePsoqcrOuzIIOlVs284Q30BOV"]
[gossip]
max_message_bytes = 131072
heartbeat_max_bytes = 2048
max_age = "30s"
max_skew = "2s"
[liveness]
ping_interval = "20s"
ping_timeout = "3s"
slow_rtt = "250ms"
offline_after = 5
summary_interval = "5m"
[store]
data_dir = "/var/lib/validator"
retention = "2160h"
[api]
listen = "127.0.0.1:7500"
min_peers = 3
max_body_bytes = 65536
[accountability]
enabled = false
submit = true
keystore = "reporter.json"
backoff = "1m"
settle = "10m"
max_gas = 2000000
[log]
level = "debug"
format = "json"
`)
	cfg, err := node.LoadConfig(node.ConfigSources{File: file})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestConfigDumpRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		cfg  func(t *testing.T) node.Config
	}{
		{"defaults from an empty file", func(t *testing.T) node.Config {
			cfg, err := node.LoadConfig(node.ConfigSources{File: cfgWrite(t, t.TempDir(), "")})
			if err != nil {
				t.Fatal(err)
			}
			return cfg
		}},
		{"every section changed", func(t *testing.T) node.Config { return cfgCustom(t, t.TempDir()) }},
		{"env and flags", func(t *testing.T) node.Config {
			cfg, err := node.LoadConfig(node.ConfigSources{
				File:  cfgWrite(t, t.TempDir(), "[log]\nlevel = \"warn\"\n"),
				Env:   []string{"VALIDATOR_NETWORK_EXTERNAL_ADDRS=/ip4/198.51.100.1/tcp/9000", "VALIDATOR_LIVENESS_SLOW_RTT=123ms"},
				Flags: map[string]string{"chain.finalized": "true", "store.data_dir": "/srv/v"},
			})
			if err != nil {
				t.Fatal(err)
			}
			return cfg
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.cfg(t)
			dump, err := want.Dump()
			if err != nil {
				t.Fatal(err)
			}
			// Load the dump from somewhere else: paths are absolute by now.
			got, err := node.LoadConfig(node.ConfigSources{File: cfgWrite(t, t.TempDir(), string(dump))})
			if err != nil {
				t.Fatalf("load the dump: %v\n%s", err, dump)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the config\n got %+v\nwant %+v\ndump:\n%s", got, want, dump)
			}
			if !bytes.Contains(dump, []byte("# Multiaddrs to listen on")) {
				t.Errorf("dump has no comments:\n%s", dump)
			}
		})
	}
	t.Run("custom differs from defaults everywhere", func(t *testing.T) {
		c, d := reflect.ValueOf(cfgCustom(t, t.TempDir())), reflect.ValueOf(node.DefaultConfig())
		for i := range c.NumField() {
			if reflect.DeepEqual(c.Field(i).Interface(), d.Field(i).Interface()) {
				t.Errorf("section %s equals the default; the round trip would not test it", c.Type().Field(i).Name)
			}
		}
	})
}

func TestConfigDumpRedacts(t *testing.T) {
	cases := []struct {
		url    string
		want   string
		secret []string
	}{
		{"https://alice:hunter2@rpc.example.org/", "https://REDACTED@rpc.example.org/", []string{"alice", "hunter2"}},
		{"wss://tok3nUser@rpc.example.org", "wss://REDACTED@rpc.example.org", []string{"tok3nUser"}},
		{"https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161", "https://mainnet.infura.io/v3/REDACTED", []string{"9aa3d95b3bc440fa88ea12eaa4456161"}},
		{"https://eth-mainnet.g.alchemy.com/v2/Ab1_cdEfGhIjKlMnOpQrStUv-w", "https://eth-mainnet.g.alchemy.com/v2/REDACTED", []string{"Ab1_cdEfGhIjKlMnOpQrStUv-w"}},
		{"https://rpc.example.org/eth?apikey=s3cr3t&chain=1", "https://rpc.example.org/eth?apikey=REDACTED&chain=REDACTED", []string{"s3cr3t"}},
		{"https://rpc.example.org/#t0ken", "https://rpc.example.org/#REDACTED", []string{"t0ken"}},
		{"http://127.0.0.1:8545", "http://127.0.0.1:8545", nil},
		{"https://rpc.example.org/mainnet/archive", "https://rpc.example.org/mainnet/archive", nil},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			cfg, err := node.LoadConfig(node.ConfigSources{Flags: map[string]string{"chain.rpc_url": tc.url}})
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Chain.RPCURL != tc.url {
				t.Fatalf("LoadConfig changed rpc_url to %q", cfg.Chain.RPCURL)
			}
			dump, err := cfg.Dump()
			if err != nil {
				t.Fatal(err)
			}
			if line := "rpc_url = '" + tc.want + "'"; !bytes.Contains(dump, []byte(line)) {
				t.Errorf("dump lacks %s:\n%s", line, dump)
			}
			for _, s := range tc.secret {
				if bytes.Contains(dump, []byte(s)) {
					t.Errorf("dump shows %q", s)
				}
			}
			if cfg.Chain.RPCURL != tc.url {
				t.Error("Dump changed the config it was called on")
			}
		})
	}
}

func TestConfigDefaultFile(t *testing.T) {
	if err := node.DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	var buf bytes.Buffer
	if err := node.WriteDefaultConfig(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Precedence", "VALIDATOR_KEYS_PASSPHRASE", "[chain]", "# Which chain and registry", "network = 'devnet'"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("default file lacks %q:\n%s", want, buf.String())
		}
	}
	dir := t.TempDir()
	cfg, err := node.LoadConfig(node.ConfigSources{File: cfgWrite(t, dir, buf.String())})
	if err != nil {
		t.Fatalf("load the default file: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	want := node.DefaultConfig()
	want.Keys.NodeKey = filepath.Join(dir, want.Keys.NodeKey)
	want.Keys.OperatorKeystore = filepath.Join(dir, want.Keys.OperatorKeystore)
	want.Store.DataDir = filepath.Join(dir, want.Store.DataDir)
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("default file loads as\n%+v\nwant\n%+v", cfg, want)
	}
}

func TestConfigWarnings(t *testing.T) {
	cases := []struct {
		listen string
		warn   bool
	}{
		{"127.0.0.1:7400", false},
		{"localhost:7400", false},
		{"[::1]:7400", false},
		{"0.0.0.0:7400", true},
		{":7400", true},
		{"192.0.2.10:7400", true},
		{"api.example.org:7400", true},
	}
	for _, tc := range cases {
		t.Run(tc.listen, func(t *testing.T) {
			cfg, err := node.LoadConfig(node.ConfigSources{Flags: map[string]string{"api.listen": tc.listen}})
			if err != nil {
				t.Fatal(err) // a non-loopback API is allowed
			}
			ws := cfg.Warnings()
			got := slices.ContainsFunc(ws, func(w string) bool { return strings.HasPrefix(w, "api.listen") })
			if got != tc.warn {
				t.Errorf("warnings %q; want an api.listen warning: %v", ws, tc.warn)
			}
		})
	}
}

// cfgKey is one key of node.Config found by reflection over its toml tags.
type cfgKey struct {
	key, env, typ string
}

func cfgKeys(t *testing.T) []cfgKey {
	t.Helper()
	tag := func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" {
			t.Fatalf("field %s has no toml tag", f.Name)
		}
		return name
	}
	var out []cfgKey
	ct := reflect.TypeFor[node.Config]()
	for i := range ct.NumField() {
		sec := ct.Field(i)
		for j := range sec.Type.NumField() {
			f := sec.Type.Field(j)
			k := cfgKey{key: tag(sec) + "." + tag(f), env: "VALIDATOR_" + strings.ToUpper(tag(sec)+"_"+tag(f))}
			switch {
			case f.Type == reflect.TypeFor[node.Duration]():
				k.typ = "duration"
			case f.Type.Kind() == reflect.String:
				k.typ = "string"
			case f.Type.Kind() == reflect.Bool:
				k.typ = "boolean"
			case f.Type.Kind() == reflect.Int || f.Type.Kind() == reflect.Int64 || f.Type.Kind() == reflect.Uint64:
				k.typ = "integer"
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
				k.typ = "list of strings"
			default:
				t.Fatalf("%s: type %s has no documented name; extend this test and docs/configuration.md", k.key, f.Type)
			}
			out = append(out, k)
		}
	}
	return out
}

// cfgDumpValues maps each dotted key to its value as Dump renders it.
func cfgDumpValues(t *testing.T, c node.Config) map[string]string {
	t.Helper()
	dump, err := c.Dump()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	sec := ""
	sc := bufio.NewScanner(bytes.NewReader(dump))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			sec = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, " = ")
			if !ok {
				t.Fatalf("dump line %q is not key = value", line)
			}
			out[sec+"."+k] = v
		}
	}
	return out
}

var cfgDocKeyCell = regexp.MustCompile("^\\| `[a-z0-9_]+\\.[a-z0-9_]+` \\|")

var cfgDocRow = regexp.MustCompile("^\\| `([a-z0-9_]+\\.[a-z0-9_]+)` \\| ([^|]+) \\| `([^`]*)` \\| `(VALIDATOR_[A-Z0-9_]+)` \\| [^|]+ \\|$")

// TestConfigDocs keeps docs/configuration.md true: one row per key with its
// type, its default as Dump renders it and its environment variable, and the
// example files load and validate.
func TestConfigDocs(t *testing.T) {
	doc, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ typ, def, env string }
	rows := map[string]row{}
	var toml []string // ```toml blocks
	var block *strings.Builder
	for i, line := range strings.Split(string(doc), "\n") {
		switch {
		case block != nil && line == "```":
			toml = append(toml, block.String())
			block = nil
		case block != nil:
			block.WriteString(line + "\n")
		case line == "```toml":
			block = &strings.Builder{}
		case cfgDocKeyCell.MatchString(line):
			m := cfgDocRow.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("docs line %d looks like a key row but does not match | `key` | type | `default` | `VALIDATOR_...` | meaning |: %s", i+1, line)
				continue
			}
			if _, dup := rows[m[1]]; dup {
				t.Errorf("docs line %d: %s documented twice", i+1, m[1])
			}
			rows[m[1]] = row{typ: strings.TrimSpace(m[2]), def: m[3], env: m[4]}
		}
	}

	defaults := cfgDumpValues(t, node.DefaultConfig())
	keys := cfgKeys(t)
	if len(keys) < 30 {
		t.Fatalf("found only %d keys by reflection", len(keys))
	}
	for _, k := range keys {
		r, ok := rows[k.key]
		if !ok {
			t.Errorf("%s is not documented in docs/configuration.md; add a row: | `%s` | %s | `%s` | `%s` | ... |", k.key, k.key, k.typ, defaults[k.key], k.env)
			continue
		}
		delete(rows, k.key)
		if r.typ != k.typ {
			t.Errorf("%s: docs say type %q, the struct has %q", k.key, r.typ, k.typ)
		}
		if r.env != k.env {
			t.Errorf("%s: docs say variable %s, LoadConfig reads %s", k.key, r.env, k.env)
		}
		if want, ok := defaults[k.key]; !ok {
			t.Errorf("%s: missing from Dump", k.key)
		} else if r.def != want {
			t.Errorf("%s: docs say default `%s`, DefaultConfig dumps `%s`", k.key, r.def, want)
		}
	}
	for k := range rows {
		t.Errorf("docs/configuration.md documents %s, which node.Config does not have", k)
	}

	// The env names are the ones LoadConfig reads, and ConfigKeys agrees.
	var fromAPI []cfgKey
	for _, k := range node.ConfigKeys() {
		fromAPI = append(fromAPI, cfgKey{k.Key, k.Env, k.Type})
	}
	if !reflect.DeepEqual(fromAPI, keys) {
		t.Errorf("ConfigKeys\n%v\ndiffers from the struct\n%v", fromAPI, keys)
	}
	for _, k := range keys {
		if _, err := node.LoadConfig(node.ConfigSources{Env: []string{k.env + "=" + cfgEnvExample(k.typ)}}); err != nil && strings.Contains(err.Error(), "unknown") {
			t.Errorf("%s: %v", k.env, err)
		}
	}

	if len(toml) == 0 {
		t.Fatal("docs/configuration.md has no ```toml example")
	}
	for i, ex := range toml {
		cfg, err := node.LoadConfig(node.ConfigSources{File: cfgWrite(t, t.TempDir(), ex)})
		if err != nil {
			t.Errorf("docs example %d does not load: %v\n%s", i+1, err, ex)
			continue
		}
		if reflect.DeepEqual(cfg.Chain, node.DefaultConfig().Chain) {
			t.Errorf("docs example %d did not change [chain]; was it read?", i+1)
		}
	}
}

func cfgEnvExample(typ string) string {
	switch typ {
	case "duration":
		return "1s"
	case "integer":
		return "1"
	case "boolean":
		return "true"
	}
	return "x"
}
