package chain

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/internal/settings"
)

// Section is the [chain] section of validator.toml: a network preset and
// overrides of its fields, or a custom network that sets them all.
type Section struct {
	// Network is a preset name ("devnet") or the name of a custom network,
	// which then needs chain_id, rpc_url and registry.
	Network       string            `toml:"network" comment:"Preset name (devnet) or a custom network name."`
	RPCURL        string            `toml:"rpc_url" comment:"Ethereum JSON-RPC endpoint (http, https, ws, wss). Empty: the preset's."`
	ChainID       uint64            `toml:"chain_id" comment:"Expected chain ID. 0: the preset's."`
	Registry      string            `toml:"registry" comment:"NodeRegistry contract address. Empty: the preset's."`
	Confirmations uint64            `toml:"confirmations" comment:"Follow the registry this many blocks behind the head."`
	Finalized     bool              `toml:"finalized" comment:"Follow the chain's finalized block instead of a fixed depth."`
	StallAfter    settings.Duration `toml:"stall_after" comment:"/readyz fails when no registry sync round (RPC call) has succeeded for this long."`
}

// DefaultSection is [chain] before any file, environment or flag: the devnet
// preset.
func DefaultSection() Section {
	return Section{Network: Devnet.Name, StallAfter: settings.Duration(2 * time.Minute)}
}

// MinStallAfter bounds stall_after from below: a few of the registry view's
// one-second poll rounds.
const MinStallAfter = 3 * time.Second

// Problems reports every invalid value of the section under its dotted key
// (chain.network, chain.rpc_url, ...).
func (s Section) Problems() settings.Problems {
	var ps settings.Problems
	presets := strings.Join(PresetNames(), ", ")
	switch {
	case s.Network == "":
		ps.Add("chain.network", "must be set to a preset (%s) or a custom network name", presets)
	case !networkName.MatchString(s.Network):
		ps.Add("chain.network", "%q must be "+nameRule+", such as %q", s.Network, Devnet.Name)
	default:
		if _, ok := Preset(s.Network); ok {
			break
		}
		custom := func(key, what string) {
			ps.Add(key, "must be set for custom network %q (%s); presets that need no settings: %s", s.Network, what, presets)
		}
		if s.ChainID == 0 {
			custom("chain.chain_id", "the chain ID the RPC endpoint serves")
		}
		if s.RPCURL == "" {
			custom("chain.rpc_url", "an Ethereum JSON-RPC URL")
		}
		if s.Registry == "" {
			custom("chain.registry", "the NodeRegistry contract address")
		}
	}
	if s.RPCURL != "" {
		shown := RedactURL(s.RPCURL)
		u, err := url.Parse(s.RPCURL)
		switch {
		case err != nil:
			ps.Add("chain.rpc_url", "%q is not a URL; write e.g. %q", shown, "https://rpc.example.org")
		case !slices.Contains([]string{"http", "https", "ws", "wss"}, u.Scheme):
			ps.Add("chain.rpc_url", "%q: scheme %q is not supported; use http, https, ws or wss, e.g. %q", shown, u.Scheme, "http://127.0.0.1:8545")
		case u.Host == "":
			ps.Add("chain.rpc_url", "%q has no host; write e.g. %q", shown, "http://127.0.0.1:8545")
		}
	}
	if r := s.Registry; r != "" {
		switch {
		case !strings.HasPrefix(r, "0x") || !common.IsHexAddress(r):
			ps.Add("chain.registry", "%q is not a contract address; write 0x followed by 40 hex digits", r)
		case common.HexToAddress(r) == (common.Address{}):
			ps.Add("chain.registry", "%q is the zero address; write the NodeRegistry contract's address", r)
		case !checksumOK(r):
			ps.Add("chain.registry", "%q fails its EIP-55 mixed-case checksum (expected %s); copy the address again or write it in lower case", r, common.HexToAddress(r).Hex())
		}
	}
	switch {
	case s.StallAfter <= 0:
		ps.Positive("chain.stall_after", s.StallAfter, DefaultSection().StallAfter)
	case s.StallAfter.D() < MinStallAfter:
		ps.Add("chain.stall_after", "%q must be at least %q: the registry is polled every second, and a shorter bound would report a healthy sync as stalled",
			s.StallAfter.String(), MinStallAfter.String())
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

// Warnings lists settings that are valid but have no effect.
func (s Section) Warnings() []string {
	if s.Finalized && s.Confirmations > 0 {
		return []string{fmt.Sprintf("chain.confirmations (%d) is ignored because chain.finalized is set", s.Confirmations)}
	}
	return nil
}

// Resolve turns the section into a network: a preset with overrides, or a
// custom network that sets everything.
func (s Section) Resolve() (Network, error) {
	n, ok := Preset(s.Network)
	if !ok {
		n = Network{Name: s.Network}
	}
	if s.RPCURL != "" {
		n.RPCURL = s.RPCURL
	}
	if s.ChainID != 0 {
		n.ChainID = s.ChainID
	}
	if s.Registry != "" {
		if !common.IsHexAddress(s.Registry) {
			return Network{}, fmt.Errorf("chain.registry %q is not an address", s.Registry)
		}
		n.Registry = common.HexToAddress(s.Registry)
	}
	if s.Confirmations != 0 {
		n.Confirmations = s.Confirmations
	}
	if s.Finalized {
		n.Finalized = true
	}
	if err := n.Validate(); err != nil {
		if !ok {
			return Network{}, fmt.Errorf("%w (custom networks need chain.chain_id, chain.rpc_url and chain.registry; presets: %s)", err, strings.Join(PresetNames(), ", "))
		}
		return Network{}, err
	}
	return n, nil
}

// redacted replaces secrets in RedactURL.
const redacted = "REDACTED"

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
