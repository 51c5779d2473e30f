package node

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/pelletier/go-toml/v2"
)

// ConfigSources are the inputs of LoadConfig. Precedence, highest first:
// Flags, then VALIDATOR_* variables in Env, then File, then DefaultConfig.
type ConfigSources struct {
	// File is the path of a TOML config file; empty for none. Relative paths
	// in keys.* and store.data_dir are resolved against its directory.
	File string
	// Env is the environment in os.Environ form ("KEY=value"). Only variables
	// named VALIDATOR_<SECTION>_<KEY> are read; lists are comma-separated.
	Env []string
	// Flags maps dotted keys ("chain.network", "api.listen") to values, in the
	// same syntax as Env. Pass only the flags the operator actually set.
	Flags map[string]string
	// RegistryOptional lets a custom network leave chain.registry empty: the
	// registry is about to be deployed (validator registry deploy).
	RegistryOptional bool
}

// PassphraseEnv holds the operator keystore passphrase. It is a secret, not a
// config key: LoadConfig ignores it and Dump never shows it.
const PassphraseEnv = "VALIDATOR_KEYS_PASSPHRASE"

const envPrefix = "VALIDATOR_"

// nonConfigEnv are VALIDATOR_* variables that are not config keys. Add a
// variable here before using it, or LoadConfig rejects it as a typo.
var nonConfigEnv = map[string]bool{
	PassphraseEnv:                true,
	"VALIDATOR_REQUIRE_GETH":     true, // tests: fail rather than skip without geth
	"VALIDATOR_REQUIRE_NETNS":    true, // tests: fail rather than skip without network namespaces
	"VALIDATOR_REQUIRE_PROMTOOL": true, // tests: fail rather than skip without promtool
}

// redacted replaces secrets in Dump.
const redacted = "REDACTED"

// ConfigKey describes one configuration key, e.g. for registering flags.
type ConfigKey struct {
	Key     string // dotted: "network.max_connections"
	Env     string // "VALIDATOR_NETWORK_MAX_CONNECTIONS"
	Type    string // "string", "integer", "boolean", "duration" or "list of strings"
	Comment string // the struct tag comment
}

// ConfigKeys lists every key of Config in file order.
func ConfigKeys() []ConfigKey {
	fs := configFields()
	out := make([]ConfigKey, len(fs))
	for i, f := range fs {
		out[i] = f.ConfigKey
	}
	return out
}

type configField struct {
	ConfigKey
	index []int
	path  bool // a filesystem path, resolved against the config file's directory
}

var durationType = reflect.TypeFor[Duration]()

// configFields walks Config's toml tags: every section is a struct of scalar
// or []string fields.
var configFields = sync.OnceValue(func() []configField {
	var out []configField
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		sec := ct.Field(i)
		secName := tomlName(sec)
		for j := range sec.Type.NumField() {
			f := sec.Type.Field(j)
			name := tomlName(f)
			key := secName + "." + name
			out = append(out, configField{
				ConfigKey: ConfigKey{
					Key:     key,
					Env:     envPrefix + strings.ToUpper(secName+"_"+name),
					Type:    typeName(f.Type),
					Comment: f.Tag.Get("comment"),
				},
				index: []int{i, j},
				path:  f.Type.Kind() == reflect.String && (secName == "keys" || key == "store.data_dir"),
			})
		}
	}
	return out
})

func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "" {
		panic("node: config field " + f.Name + " has no toml tag")
	}
	return name
}

func typeName(t reflect.Type) string {
	if t == durationType {
		return "duration"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return "integer"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return "list of strings"
		}
	}
	panic("node: config field type " + t.String() + " is not supported by LoadConfig")
}

func fieldByKey(key string) (configField, bool) {
	for _, f := range configFields() {
		if f.Key == key {
			return f, true
		}
	}
	return configField{}, false
}

// LoadConfig merges defaults, the file, the environment and flags (each
// overriding the one before) and validates the result. Unknown keys in any
// source are errors that name the key, so typos never pass silently.
//
// With a file, relative paths in keys.* and store.data_dir are made absolute:
// those from the file or the defaults against the file's directory, those from
// the environment or flags against the working directory. Without a file they
// are returned as given.
func LoadConfig(src ConfigSources) (Config, error) {
	cfg := DefaultConfig()
	origin := map[string]string{} // key -> where the operator set it, for error messages
	if src.File != "" {
		if err := decodeFile(&cfg, src.File, origin); err != nil {
			return Config{}, err
		}
		dir, err := filepath.Abs(filepath.Dir(src.File))
		if err != nil {
			return Config{}, fmt.Errorf("config file %s: %w", src.File, err)
		}
		for _, f := range configFields() {
			if f.path {
				resolvePath(fieldValue(&cfg, f), dir)
			}
		}
	}

	var errs []error
	var unknown []string
	for _, kv := range src.Env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, envPrefix) || nonConfigEnv[name] {
			continue
		}
		f, known := fieldByEnv(name)
		if !known {
			// VALIDATOR_<SECTION>_<KEY> is a config key with a typo; leave
			// other shapes (VALIDATOR_HOME) to whoever uses them.
			if strings.Contains(strings.TrimPrefix(name, envPrefix), "_") {
				unknown = append(unknown, name+suggest(name, envNames()))
			}
			continue
		}
		if err := setField(&cfg, f, val, src.File != ""); err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", name, err))
			continue
		}
		origin[f.Key] = "set by " + name
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		errs = append(errs, fmt.Errorf("unknown configuration variables: %s; see docs/configuration.md for the names (VALIDATOR_<SECTION>_<KEY>)", strings.Join(unknown, ", ")))
	}

	unknown = unknown[:0]
	for _, key := range slices.Sorted(maps.Keys(src.Flags)) {
		f, known := fieldByKey(key)
		if !known {
			unknown = append(unknown, key+suggest(key, dottedKeys()))
			continue
		}
		if err := setField(&cfg, f, src.Flags[key], src.File != ""); err != nil {
			errs = append(errs, fmt.Errorf("flag %s: %w", key, err))
			continue
		}
		origin[f.Key] = "set by flag " + key
	}
	if len(unknown) > 0 {
		errs = append(errs, fmt.Errorf("unknown configuration keys in flags: %s; docs/configuration.md lists every key", strings.Join(unknown, ", ")))
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}

	cfg.normalize()
	ps := cfg.problems()
	if src.RegistryOptional && cfg.Chain.Registry == "" {
		ps = slices.DeleteFunc(ps, func(p problem) bool { return p.key == "chain.registry" })
	}
	if len(ps) > 0 {
		for i := range ps {
			if o, ok := origin[ps[i].key]; ok {
				ps[i].msg += " (" + o + ")"
			}
		}
		return Config{}, fmt.Errorf("invalid configuration:\n%w", joinProblems(ps))
	}
	return cfg, nil
}

func fieldByEnv(name string) (configField, bool) {
	for _, f := range configFields() {
		if f.Env == name {
			return f, true
		}
	}
	return configField{}, false
}

func envNames() []string {
	var out []string
	for _, f := range configFields() {
		out = append(out, f.Env)
	}
	return out
}

func dottedKeys() []string {
	var out []string
	for _, f := range configFields() {
		out = append(out, f.Key)
	}
	return out
}

func fieldValue(cfg *Config, f configField) reflect.Value {
	return reflect.ValueOf(cfg).Elem().FieldByIndex(f.index)
}

// resolvePath makes a relative, non-empty path absolute against dir.
func resolvePath(v reflect.Value, dir string) {
	if p := v.String(); p != "" && !filepath.IsAbs(p) {
		v.SetString(filepath.Join(dir, p))
	}
}

// setField parses an environment or flag value into f. With absPaths (a
// config file is in use) a relative path becomes absolute against the working
// directory, so that no path in the result is relative to the file.
func setField(cfg *Config, f configField, s string, absPaths bool) error {
	v := fieldValue(cfg, f)
	if v.Type() == durationType {
		var d Duration
		if err := d.UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("%s: %q is not a duration; write e.g. %q", f.Key, s, exampleValue(f))
		}
		v.Set(reflect.ValueOf(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if f.path && absPaths && s != "" && !filepath.IsAbs(s) {
			abs, err := filepath.Abs(s)
			if err != nil {
				return fmt.Errorf("%s: %w", f.Key, err)
			}
			s = abs
		}
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%s: %q is not a boolean; write true or false", f.Key, s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("%s: %q is not an integer; write e.g. %s", f.Key, s, exampleValue(f))
		}
		v.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a non-negative integer; write e.g. %s", f.Key, s, exampleValue(f))
		}
		v.SetUint(n)
	case reflect.Slice:
		var list []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		v.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("%s: unsupported type %s", f.Key, v.Type())
	}
	return nil
}

// exampleValue is the default of f as an env/flag value, for error messages.
func exampleValue(f configField) string {
	d := DefaultConfig()
	v := fieldValue(&d, f)
	if m, ok := v.Interface().(encoding.TextMarshaler); ok {
		b, _ := m.MarshalText()
		return string(b)
	}
	return fmt.Sprint(v.Interface())
}

// decodeFile decodes the TOML file at path over cfg. Unknown keys are errors
// naming the key and its line.
func decodeFile(cfg *Config, path string, origin map[string]string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	dec := toml.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return fileError(path, doc, err)
	}
	// Which keys the file sets, so that validation errors can say so.
	var raw map[string]any
	if err := toml.Unmarshal(doc, &raw); err == nil {
		for sec, v := range raw {
			if m, ok := v.(map[string]any); ok {
				for k := range m {
					if f, ok := fieldByKey(sec + "." + k); ok {
						origin[f.Key] = "set in " + path
					}
				}
			}
		}
	}
	return nil
}

func fileError(path string, doc []byte, err error) error {
	var missing *toml.StrictMissingError
	if errors.As(err, &missing) {
		var errs []error
		var seen []string
		for _, e := range missing.Errors {
			key := strings.Join(e.Key(), ".")
			// An unknown table is reported once, not again for each key in it.
			if slices.ContainsFunc(seen, func(s string) bool { return strings.HasPrefix(key, s+".") }) {
				continue
			}
			seen = append(seen, key)
			line, _ := e.Position()
			what := "key"
			if strings.Contains(e.Error(), "table") {
				what = "section"
			}
			errs = append(errs, fmt.Errorf("config file %s, line %d: unknown %s %q%s; remove it or fix its name (docs/configuration.md lists every key)",
				path, line, what, key, suggest(key, dottedKeys())))
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if key := keyAtLine(doc, line); key != "" {
			if f, ok := fieldByKey(key); ok {
				// "cannot decode TOML string into struct field node.X.Y of type int"
				if rest, ok := strings.CutPrefix(msg, "cannot decode TOML "); ok {
					got, _, _ := strings.Cut(rest, " ")
					msg = "got a TOML " + got
				}
				return fmt.Errorf("config file %s, line %d: %s: %s; want %s such as %s", path, line, key, msg, article(f.Type), defaultTOML(f))
			}
			if isSection(key) {
				return fmt.Errorf("config file %s, line %d: %s is a section, not a key; put its keys under [%s]", path, line, key, key)
			}
			return fmt.Errorf("config file %s, line %d: %s: %s", path, line, key, msg)
		}
		return fmt.Errorf("config file %s, line %d: %s", path, line, msg)
	}
	return fmt.Errorf("config file %s: %w", path, err)
}

func article(typ string) string {
	if strings.IndexAny(typ, "aeiou") == 0 {
		return "an " + typ
	}
	return "a " + typ
}

func isSection(name string) bool {
	for _, f := range configFields() {
		if strings.HasPrefix(f.Key, name+".") {
			return true
		}
	}
	return false
}

// keyAtLine guesses the dotted key assigned on a 1-based line of a TOML
// document: the last [section] header above it plus the key before "=".
func keyAtLine(doc []byte, line int) string {
	lines := strings.Split(string(doc), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	k, _, ok := strings.Cut(lines[line-1], "=")
	k = strings.Trim(strings.TrimSpace(k), `"'`)
	if !ok || k == "" {
		return ""
	}
	for i := line - 2; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "[") {
			sec, _, _ := strings.Cut(strings.Trim(l, "[]"), "]")
			return strings.TrimSpace(sec) + "." + k
		}
	}
	return k
}

// defaultTOML renders f's default as Dump does.
func defaultTOML(f configField) string {
	d := DefaultConfig()
	b, err := toml.Marshal(map[string]any{"v": fieldValue(&d, f).Interface()})
	if err != nil {
		return exampleValue(f)
	}
	return strings.TrimSpace(strings.TrimPrefix(string(b), "v = "))
}

// suggest returns ` (did you mean "x"?)` for the closest candidate, if close.
func suggest(s string, candidates []string) string {
	best, bestD := "", 4 // more than 3 edits is not a typo
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// normalize gives equal configurations equal values: empty lists are nil.
func (c *Config) normalize() {
	for _, f := range configFields() {
		v := fieldValue(c, f)
		if v.Kind() == reflect.Slice && v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}

// Dump renders the configuration as commented TOML that LoadConfig reads
// back, with secrets redacted: the user info, query values and key-like path
// segments of chain.rpc_url become REDACTED.
func (c Config) Dump() ([]byte, error) {
	c.Chain.RPCURL = RedactURL(c.Chain.RPCURL)
	return encodeConfig(c)
}

func encodeConfig(c Config) ([]byte, error) {
	c.normalize()
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return buf.Bytes(), nil
}

// defaultConfigHeader heads the file `validator init` writes.
const defaultConfigHeader = `# validator.toml: configuration of the validator daemon.
#
# Precedence, highest first: command-line flags (--set network.max_connections=128),
# VALIDATOR_* environment variables (VALIDATOR_NETWORK_MAX_CONNECTIONS=128),
# this file, built-in defaults. Lists in variables and flags are comma-separated.
# Unknown keys are errors. Durations are strings such as "500ms", "10s", "5m".
# Relative paths (keys.*, store.data_dir) are relative to this file's directory.
# The keystore passphrase is not kept here: set keys.passphrase_file or the
# VALIDATOR_KEYS_PASSPHRASE environment variable.
# Every key is described in docs/configuration.md; ` + "`validator config dump`" + `
# prints the effective configuration.

`

// WriteDefaultConfig writes DefaultConfig as a commented validator.toml.
func WriteDefaultConfig(w io.Writer) error { return WriteConfig(w, DefaultConfig()) }

// WriteConfig writes cfg as a commented validator.toml (what `validator init`
// writes: the defaults with its keys, ports and passphrase file).
func WriteConfig(w io.Writer, cfg Config) error {
	b, err := encodeConfig(cfg)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, defaultConfigHeader); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// apiKeySegment looks like an API key in a URL path (Infura's /v3/<key>).
var apiKeySegment = regexp.MustCompile(`^[A-Za-z0-9_-]{16,}$`)

// RedactURL hides credentials in a URL: user info, query values, the fragment
// and path segments that look like API keys (16 or more letters, digits, '-'
// or '_', at least one a digit) become REDACTED. A string that does not parse
// as a URL is redacted whole.
func RedactURL(s string) string {
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	if u.User != nil {
		u.User = url.User(redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{redacted}
		}
		u.RawQuery = q.Encode()
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = redacted, ""
	}
	if u.Opaque != "" {
		u.Opaque = redacted
	}
	segs := strings.Split(u.Path, "/")
	changed := false
	for i, seg := range segs {
		if apiKeySegment.MatchString(seg) && strings.ContainsAny(seg, "0123456789") {
			segs[i], changed = redacted, true
		}
	}
	if changed {
		u.Path, u.RawPath = strings.Join(segs, "/"), ""
	}
	return u.String()
}

// problem is one invalid value, reported as "key: msg".
type problem struct{ key, msg string }

func joinProblems(ps []problem) error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = fmt.Errorf("%s: %s", p.key, p.msg)
	}
	return errors.Join(errs...)
}

// Validate reports every invalid value, each named by its dotted key and
// saying what to write instead, joined into one error.
func (c Config) Validate() error {
	if ps := c.problems(); len(ps) > 0 {
		return joinProblems(ps)
	}
	return nil
}

// networkName mirrors chain.Network's rule: names prefix protocol IDs and topics.
var networkName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// presetNames are the built-in chain.network presets (chain.PresetNames).
var presetNames = []string{"devnet"}

// minStallAfter bounds chain.stall_after from below: a few of the registry
// view's one-second poll rounds.
const minStallAfter = 3 * time.Second

// maxGossipBytes bounds gossip.max_message_bytes: gossip is for small
// messages, and every node buffers and forwards each one.
const maxGossipBytes = 4 << 20

func (c Config) problems() []problem {
	var ps []problem
	add := func(key, format string, args ...any) {
		ps = append(ps, problem{key, fmt.Sprintf(format, args...)})
	}
	def := DefaultConfig()
	positive := func(key string, d, example Duration) {
		if d <= 0 {
			add(key, "%q must be a positive duration such as %q", d.D().String(), example.D().String())
		}
	}

	// [chain]
	ch := c.Chain
	switch {
	case ch.Network == "":
		add("chain.network", "must be set to a preset (%s) or a custom network name", strings.Join(presetNames, ", "))
	case !networkName.MatchString(ch.Network):
		add("chain.network", "%q must be 1-32 lowercase letters, digits or dashes, such as %q", ch.Network, "devnet")
	case !slices.Contains(presetNames, ch.Network):
		custom := func(key, what string) {
			add(key, "must be set for custom network %q (%s); presets that need no settings: %s",
				ch.Network, what, strings.Join(presetNames, ", "))
		}
		if ch.ChainID == 0 {
			custom("chain.chain_id", "the chain ID the RPC endpoint serves")
		}
		if ch.RPCURL == "" {
			custom("chain.rpc_url", "an Ethereum JSON-RPC URL")
		}
		if ch.Registry == "" {
			custom("chain.registry", "the NodeRegistry contract address")
		}
	}
	if ch.RPCURL != "" {
		shown := RedactURL(ch.RPCURL)
		u, err := url.Parse(ch.RPCURL)
		switch {
		case err != nil:
			add("chain.rpc_url", "%q is not a URL; write e.g. %q", shown, "https://rpc.example.org")
		case !slices.Contains([]string{"http", "https", "ws", "wss"}, u.Scheme):
			add("chain.rpc_url", "%q: scheme %q is not supported; use http, https, ws or wss, e.g. %q", shown, u.Scheme, "http://127.0.0.1:8545")
		case u.Host == "":
			add("chain.rpc_url", "%q has no host; write e.g. %q", shown, "http://127.0.0.1:8545")
		}
	}
	if r := ch.Registry; r != "" {
		switch {
		case !strings.HasPrefix(r, "0x") || !common.IsHexAddress(r):
			add("chain.registry", "%q is not a contract address; write 0x followed by 40 hex digits", r)
		case common.HexToAddress(r) == (common.Address{}):
			add("chain.registry", "%q is the zero address; write the NodeRegistry contract's address", r)
		case !checksumOK(r):
			add("chain.registry", "%q fails its EIP-55 mixed-case checksum (expected %s); copy the address again or write it in lower case", r, common.HexToAddress(r).Hex())
		}
	}

	switch {
	case ch.StallAfter <= 0:
		add("chain.stall_after", "%q must be a positive duration such as %q", ch.StallAfter.D().String(), def.Chain.StallAfter.D().String())
	case ch.StallAfter.D() < minStallAfter:
		add("chain.stall_after", "%q must be at least %q: the registry is polled every second, and a shorter bound would report a healthy sync as stalled",
			ch.StallAfter.D().String(), minStallAfter.String())
	}

	// [keys]
	if c.Keys.NodeKey == "" {
		add("keys.node_key", "must be set to the node key file, such as %q", def.Keys.NodeKey)
	}

	// [network]
	n := c.Network
	if len(n.ListenAddrs) == 0 {
		add("network.listen_addrs", "must list at least one multiaddr, such as %q", def.Network.ListenAddrs[0])
	}
	for _, list := range []struct {
		key   string
		addrs []string
	}{{"network.listen_addrs", n.ListenAddrs}, {"network.external_addrs", n.ExternalAddrs}} {
		for i, a := range list.addrs {
			key := fmt.Sprintf("%s[%d]", list.key, i)
			m, err := ma.NewMultiaddr(a)
			if err != nil {
				add(key, "%q is not a multiaddr (%v); write e.g. %q", a, err, "/ip4/0.0.0.0/tcp/9000")
				continue
			}
			if _, err := m.ValueForProtocol(ma.P_P2P); err == nil {
				add(key, "%q must not end in /p2p/<peer ID>: this node's ID comes from keys.node_key", a)
			}
		}
	}
	for i, a := range n.BootstrapPeers {
		key := fmt.Sprintf("network.bootstrap_peers[%d]", i)
		const example = "/ip4/203.0.113.7/udp/9000/quic-v1/p2p/16Uiu2HAm..."
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			add(key, "%q is not a multiaddr (%v); write e.g. %q", a, err, example)
			continue
		}
		info, err := peer.AddrInfoFromP2pAddr(m)
		switch {
		case err != nil:
			add(key, "%q has no /p2p/<peer ID>; append the peer's ID, e.g. %q", a, example)
		case len(info.Addrs) == 0:
			add(key, "%q has no address before /p2p/; write the full address, e.g. %q", a, example)
		}
	}
	if n.MaxConnections < 2 {
		add("network.max_connections", "%d must be at least 2, such as %d", n.MaxConnections, def.Network.MaxConnections)
	}
	if n.TargetPeers < 1 || n.TargetPeers > max(n.MaxConnections, 1) {
		add("network.target_peers", "%d must be between 1 and network.max_connections (%d)", n.TargetPeers, n.MaxConnections)
	}
	positive("network.idle_timeout", n.IdleTimeout, def.Network.IdleTimeout)
	positive("network.heartbeat_interval", n.HeartbeatInterval, def.Network.HeartbeatInterval)
	positive("network.addr_expiry", n.AddrExpiry, def.Network.AddrExpiry)
	if n.HeartbeatInterval > 0 && n.AddrExpiry > 0 && n.AddrExpiry <= n.HeartbeatInterval {
		add("network.addr_expiry", "%q must be longer than network.heartbeat_interval (%q), or addresses expire between heartbeats; a few heartbeats, such as %q",
			n.AddrExpiry.D().String(), n.HeartbeatInterval.D().String(), (6 * n.HeartbeatInterval).D().String())
	}
	positive("network.dht_refresh", n.DHTRefresh, def.Network.DHTRefresh)

	// [gossip]
	g := c.Gossip
	switch {
	case g.MaxMessageBytes <= 0:
		add("gossip.max_message_bytes", "%d must be a positive number of bytes, such as %d", g.MaxMessageBytes, def.Gossip.MaxMessageBytes)
	case g.MaxMessageBytes > maxGossipBytes:
		add("gossip.max_message_bytes", "%d is above the limit of %d bytes; gossip is for small messages, send bulk data by request/response", g.MaxMessageBytes, maxGossipBytes)
	}
	switch {
	case g.HeartbeatMaxBytes <= 0:
		add("gossip.heartbeat_max_bytes", "%d must be a positive number of bytes, such as %d", g.HeartbeatMaxBytes, def.Gossip.HeartbeatMaxBytes)
	case g.MaxMessageBytes > 0 && g.HeartbeatMaxBytes > g.MaxMessageBytes:
		add("gossip.heartbeat_max_bytes", "%d must not exceed gossip.max_message_bytes (%d)", g.HeartbeatMaxBytes, g.MaxMessageBytes)
	}
	positive("gossip.max_age", g.MaxAge, def.Gossip.MaxAge)
	positive("gossip.max_skew", g.MaxSkew, def.Gossip.MaxSkew)
	if g.PeerMsgRate <= 0 {
		add("gossip.peer_msg_rate", "%d must be a positive number of messages per second, such as %d", g.PeerMsgRate, def.Gossip.PeerMsgRate)
	}
	if g.PeerMsgBurst < g.PeerMsgRate {
		add("gossip.peer_msg_burst", "%d must be at least gossip.peer_msg_rate (%d), such as %d", g.PeerMsgBurst, g.PeerMsgRate, 2*g.PeerMsgRate)
	}

	// [liveness]
	l := c.Liveness
	positive("liveness.ping_interval", l.PingInterval, def.Liveness.PingInterval)
	positive("liveness.ping_timeout", l.PingTimeout, def.Liveness.PingTimeout)
	if l.PingTimeout > 0 && l.PingInterval > 0 && l.PingTimeout >= l.PingInterval {
		add("liveness.ping_timeout", "%q must be shorter than liveness.ping_interval (%q), so that one probe ends before the next starts",
			l.PingTimeout.D().String(), l.PingInterval.D().String())
	}
	positive("liveness.slow_rtt", l.SlowRTT, def.Liveness.SlowRTT)
	if l.SlowRTT > 0 && l.PingTimeout > 0 && l.SlowRTT >= l.PingTimeout {
		add("liveness.slow_rtt", "%q must be shorter than liveness.ping_timeout (%q), or no peer can ever be Slow (a slower answer is a miss)",
			l.SlowRTT.D().String(), l.PingTimeout.D().String())
	}
	if l.OfflineAfter < 1 {
		add("liveness.offline_after", "%d must be at least 1, such as %d", l.OfflineAfter, def.Liveness.OfflineAfter)
	}
	positive("liveness.summary_interval", l.SummaryInterval, def.Liveness.SummaryInterval)
	if l.SummaryInterval > 0 && l.PingInterval > 0 && l.SummaryInterval < l.PingInterval {
		add("liveness.summary_interval", "%q must be at least liveness.ping_interval (%q): a summary needs probes",
			l.SummaryInterval.D().String(), l.PingInterval.D().String())
	}

	// [store]
	if c.Store.DataDir == "" {
		add("store.data_dir", "must be set to a directory, such as %q", def.Store.DataDir)
	}
	positive("store.retention", c.Store.Retention, def.Store.Retention)
	if c.Store.Retention > 0 && l.SummaryInterval > 0 && c.Store.Retention < l.SummaryInterval {
		add("store.retention", "%q must be at least liveness.summary_interval (%q), or evidence is deleted before it is complete",
			c.Store.Retention.D().String(), l.SummaryInterval.D().String())
	}

	// [api]
	a := c.API
	if host, port, err := net.SplitHostPort(a.Listen); err != nil {
		add("api.listen", "%q is not host:port; write e.g. %q", a.Listen, def.API.Listen)
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil || strings.ContainsAny(host, " /") {
		add("api.listen", "%q is not host:port with a port in 0-65535; write e.g. %q", a.Listen, def.API.Listen)
	}
	if a.MinPeers < 0 || a.MinPeers > max(n.TargetPeers, 0) {
		add("api.min_peers", "%d must be between 0 and network.target_peers (%d)", a.MinPeers, n.TargetPeers)
	}
	if a.MaxBodyBytes <= 0 {
		add("api.max_body_bytes", "%d must be a positive number of bytes, such as %d", a.MaxBodyBytes, def.API.MaxBodyBytes)
	}

	// [log]
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		add("log.level", "%q must be debug, info, warn or error", c.Log.Level)
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		add("log.format", "%q must be text or json", c.Log.Format)
	}
	return ps
}

// checksumOK: an all-lower or all-upper hex address has no checksum; a
// mixed-case one must match EIP-55.
func checksumOK(addr string) bool {
	h := addr[2:]
	if h == strings.ToLower(h) || h == strings.ToUpper(h) {
		return true
	}
	return common.HexToAddress(addr).Hex()[2:] == h
}

// Warnings lists settings that are valid but risky, for the daemon to log at
// start. Today: an API reachable from other machines (anyone who reaches it
// can publish messages signed by this node and read its peer data), and
// confirmations that chain.finalized makes irrelevant.
func (c Config) Warnings() []string {
	var ws []string
	if host, _, err := net.SplitHostPort(c.API.Listen); err == nil && !loopbackHost(host) {
		ws = append(ws, fmt.Sprintf("api.listen %q is reachable from other machines, which can then publish messages as this node; "+
			"listen on 127.0.0.1 or put an authenticating proxy in front", c.API.Listen))
	}
	if c.Chain.Finalized && c.Chain.Confirmations > 0 {
		ws = append(ws, fmt.Sprintf("chain.confirmations (%d) is ignored because chain.finalized is set", c.Chain.Confirmations))
	}
	return ws
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var (
	_ encoding.TextMarshaler   = Duration(0)
	_ encoding.TextUnmarshaler = (*Duration)(nil)
)
