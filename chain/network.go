package chain

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Network says which chain and registry a validator network lives on.
type Network struct {
	// Name keeps networks apart: it prefixes protocol IDs and topics.
	Name    string
	ChainID uint64
	RPCURL  string
	// Registry is the NodeRegistry contract address.
	Registry common.Address
	// Confirmations is how far behind the head the view follows. Ignored when
	// Finalized is set.
	Confirmations uint64
	// Finalized follows the chain's "finalized" block instead of a fixed depth.
	Finalized bool
}

// DevnetChainID is the chain ID of geth --dev and of the embedded devnet chain.
const DevnetChainID = 1337

// DevnetDeployerKey is the published key that deploys the devnet registry. Its
// first contract creation (nonce 0) lands at DevnetRegistry, which is what makes
// the devnet preset's registry address known in advance. It guards nothing: never
// fund it on a real chain.
var DevnetDeployerKey = mustKey(crypto.Keccak256([]byte("validator/devnet/deployer")))

// DevnetRegistry is the registry address of the devnet preset.
var DevnetRegistry = crypto.CreateAddress(crypto.PubkeyToAddress(DevnetDeployerKey.PublicKey), 0)

// Devnet is the preset for a local development chain (the embedded devnet or
// geth --dev) on 127.0.0.1:8545.
var Devnet = Network{
	Name:          "devnet",
	ChainID:       DevnetChainID,
	RPCURL:        "http://127.0.0.1:8545",
	Registry:      DevnetRegistry,
	Confirmations: 0,
}

var presets = map[string]Network{"devnet": Devnet}

// Preset returns a built-in network by name.
func Preset(name string) (Network, bool) {
	n, ok := presets[name]
	return n, ok
}

// PresetNames lists the built-in networks, sorted.
func PresetNames() []string { return slices.Sorted(maps.Keys(presets)) }

// networkName is the rule for Network.Name (and chain.network): names prefix
// protocol IDs and topics. nameRule says it in words.
var networkName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

const nameRule = "1-32 lowercase letters, digits or dashes"

// ErrBadNetwork is wrapped by every Network.Validate error.
var ErrBadNetwork = errors.New("bad network")

// Validate checks that the network can be used.
func (n Network) Validate() error {
	if !networkName.MatchString(n.Name) {
		return fmt.Errorf("%w: name %q must be "+nameRule, ErrBadNetwork, n.Name)
	}
	if n.ChainID == 0 {
		return fmt.Errorf("%w %s: chain_id is not set", ErrBadNetwork, n.Name)
	}
	if n.Registry == (common.Address{}) {
		return fmt.Errorf("%w %s: registry address is not set", ErrBadNetwork, n.Name)
	}
	u, err := url.Parse(n.RPCURL)
	if err != nil {
		return fmt.Errorf("%w %s: rpc_url: %v", ErrBadNetwork, n.Name, err)
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss":
	default:
		return fmt.Errorf("%w %s: rpc_url %q: scheme must be http, https, ws or wss", ErrBadNetwork, n.Name, n.RPCURL)
	}
	return nil
}

func mustKey(seed []byte) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(seed)
	if err != nil {
		panic(err)
	}
	return k
}

// DevnetOperatorKey is the published key of devnet operator i (funded by the
// embedded devnet). Like DevnetDeployerKey it guards nothing.
func DevnetOperatorKey(i int) *ecdsa.PrivateKey {
	return mustKey(crypto.Keccak256([]byte(fmt.Sprintf("validator/devnet/operator/%d", i))))
}

// DevnetNodeKey is the published node key of devnet validator i.
func DevnetNodeKey(i int) *ecdsa.PrivateKey {
	return mustKey(crypto.Keccak256([]byte(fmt.Sprintf("validator/devnet/node/%d", i))))
}
