package node

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"validator/chain"
	"validator/internal/settings"
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
	"VALIDATOR_REQUIRE_DOCKER":   true, // tests: fail rather than skip without docker-compose
	"VALIDATOR_REQUIRE_SYSTEMD":  true, // tests: fail rather than skip without systemd-analyze
}

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
	path  bool // tagged path:"true": resolved against the config file's directory
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
				path:  f.Tag.Get("path") == "true",
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
		ps = slices.DeleteFunc(ps, func(p settings.Problem) bool { return p.Key == "chain.registry" })
	}
	if len(ps) > 0 {
		for i := range ps {
			if o, ok := origin[ps[i].Key]; ok {
				ps[i].Msg += " (" + o + ")"
			}
		}
		return Config{}, fmt.Errorf("invalid configuration:\n%w", ps.Err())
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

// decodeFile decodes the TOML file at path over cfg. go-toml's strict mode
// reports unknown keys and sections with their lines; fileError words them.
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
	for key := range fileKeys(doc) {
		origin[key] = "set in " + path
	}
	return nil
}

func fileError(path string, doc []byte, err error) error {
	var missing *toml.StrictMissingError
	if errors.As(err, &missing) {
		errs := make([]error, len(missing.Errors))
		for i, e := range missing.Errors {
			key := strings.Join(e.Key(), ".")
			line, _ := e.Position()
			what := "key"
			if strings.Contains(e.Error(), "table") {
				what = "section"
			}
			errs[i] = fmt.Errorf("config file %s, line %d: unknown %s %q%s; remove it or fix its name (docs/configuration.md lists every key)",
				path, line, what, key, suggest(key, dottedKeys()))
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		// go-toml names the key only of unknown fields: find the one on the line.
		var key string
		for k, l := range fileKeys(doc) {
			if l == line {
				key = k
			}
		}
		if key == "" {
			return fmt.Errorf("config file %s, line %d: %s", path, line, msg)
		}
		if f, ok := fieldByKey(key); ok {
			// "cannot decode TOML string into struct field p2p.X.Y of type int"
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

// fileKeys maps every dotted key a TOML document assigns, as go-toml's parser
// reads it, to the line it is assigned on; up to a syntax error, if any.
func fileKeys(doc []byte) map[string]int {
	keys := map[string]int{}
	var p unstable.Parser
	p.Reset(doc)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		var parts []string
		line := 0
		for it := e.Key(); it.Next(); {
			k := it.Node()
			if line == 0 {
				line = p.Shape(k.Raw).Start.Line
			}
			parts = append(parts, string(k.Data))
		}
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = parts
		case unstable.KeyValue:
			keys[strings.Join(append(slices.Clone(table), parts...), ".")] = line
		}
	}
	return keys
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
	c.Chain.RPCURL = chain.RedactURL(c.Chain.RPCURL)
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

// RedactURL hides credentials in a URL (chain.RedactURL): user info, query
// values, the fragment and key-like path segments become REDACTED.
func RedactURL(s string) string { return chain.RedactURL(s) }

// Validate reports every invalid value, each named by its dotted key and
// saying what to write instead, joined into one error.
func (c Config) Validate() error { return c.problems().Err() }

// problems are the sections' own problems, in file order, and those of the
// rules that relate two sections.
func (c Config) problems() settings.Problems {
	var ps settings.Problems
	def := DefaultConfig()
	ps = append(ps, c.Chain.Problems()...)
	if c.Keys.NodeKey == "" {
		ps.Add("keys.node_key", "must be set to the node key file, such as %q", def.Keys.NodeKey)
	}
	ps = append(ps, c.Network.Problems()...)
	ps = append(ps, c.Gossip.Problems()...)
	ps = append(ps, c.Liveness.Problems()...)
	ps = append(ps, c.Store.Problems()...)
	if r, s := c.Store.Retention, c.Liveness.SummaryInterval; r > 0 && s > 0 && r < s {
		ps.Add("store.retention", "%q must be at least liveness.summary_interval (%q), or evidence is deleted before it is complete", r.String(), s.String())
	}
	ps = append(ps, c.API.Problems()...)
	if m, t := c.API.MinPeers, c.Network.TargetPeers; m < 0 || m > max(t, 0) {
		ps.Add("api.min_peers", "%d must be between 0 and network.target_peers (%d)", m, t)
	}
	ps = append(ps, c.Accountability.Problems()...)
	if st, si := c.Accountability.Settle, c.Liveness.SummaryInterval; st > 0 && si > 0 && st < si {
		ps.Add("accountability.settle", "%q must be at least liveness.summary_interval (%q), or a window's last evidence is not written when this node attests it", st.String(), si.String())
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		ps.Add("log.level", "%q must be debug, info, warn or error", c.Log.Level)
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		ps.Add("log.format", "%q must be text or json", c.Log.Format)
	}
	return ps
}

// Warnings lists settings that are valid but risky, for the daemon to log at
// start: the sections' own (an API reachable from other machines,
// confirmations that chain.finalized makes irrelevant).
func (c Config) Warnings() []string {
	return slices.Concat(c.API.Warnings(), c.Chain.Warnings())
}
