package chain_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"validator/chain"
	"validator/chain/devchain"
)

// The README publishes these addresses; operators' scripts depend on them.
func TestDevnetPresetAddresses(t *testing.T) {
	n, ok := chain.Preset("devnet")
	if !ok {
		t.Fatal("no devnet preset")
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := crypto.PubkeyToAddress(chain.DevnetDeployerKey.PublicKey), common.HexToAddress("0x354DC797f43A342feE95fAB2d6B3821AD4AD0A3f"); got != want {
		t.Errorf("deployer = %s, want %s", got, want)
	}
	if got, want := n.Registry, common.HexToAddress("0x40712079633F346B83a7aA7bB248a1ab8ac2eEE5"); got != want {
		t.Errorf("registry = %s, want %s", got, want)
	}
	if n.ChainID != devchain.ChainID || n.RPCURL != "http://127.0.0.1:8545" {
		t.Errorf("devnet = %+v", n)
	}
}

// Deploying from the devnet deployer's first nonce lands where the preset says.
func TestDevnetDeployLandsAtPreset(t *testing.T) {
	deployer := chain.NewKeySigner(chain.DevnetDeployerKey)
	c, err := devchain.New(devchain.Config{Alloc: map[common.Address]*big.Int{deployer.Address: ether(100)}, Automine: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr, _, err := chain.Deploy(context.Background(), c.Client(), deployer, chain.DeployParams{MinStake: ether(1)}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if addr != chain.Devnet.Registry {
		t.Fatalf("deployed at %s, preset says %s", addr, chain.Devnet.Registry)
	}
}

func TestNetworkValidate(t *testing.T) {
	good := chain.Network{Name: "testnet-1", ChainID: 5, RPCURL: "wss://rpc.example:8546", Registry: common.Address{1}}
	for _, tc := range []struct {
		name string
		edit func(*chain.Network)
		want string
	}{
		{"ok", func(*chain.Network) {}, ""},
		{"empty name", func(n *chain.Network) { n.Name = "" }, "name"},
		{"uppercase name", func(n *chain.Network) { n.Name = "Main" }, "name"},
		{"no chain id", func(n *chain.Network) { n.ChainID = 0 }, "chain_id"},
		{"no registry", func(n *chain.Network) { n.Registry = common.Address{} }, "registry"},
		{"bad scheme", func(n *chain.Network) { n.RPCURL = "ftp://x" }, "scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := good
			tc.edit(&n)
			err := n.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, chain.ErrBadNetwork) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestDialChecksChainID(t *testing.T) {
	c, err := devchain.New(devchain.Config{HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	cl, err := chain.Dial(ctx, c.URL(), devchain.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()
	if _, err := chain.Dial(ctx, c.URL(), 1); err == nil || !strings.Contains(err.Error(), "chain ID 1337") {
		t.Fatalf("dial with wrong chain ID: %v", err)
	}
	// Nothing listens: bounded retries, then an error that says what to check.
	_, err = chain.Dial(ctx, "http://127.0.0.1:1", 0, chain.WithDialAttempts(2), chain.WithDialBackoff(time.Millisecond, time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "rpc_url") {
		t.Fatalf("dial to nothing: %v", err)
	}
}
