package chain_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	regabi "validator/abi"
	"validator/chain"
	"validator/chain/devchain"
)

// popVector is one proof of possession of testdata/vectors/pop.json.
type popVector struct {
	Name        string `json:"name"`
	Comment     string `json:"comment"`
	ChainID     uint64 `json:"chain_id"`
	Registry    string `json:"registry"`
	OperatorKey string `json:"operator_key_seed"`
	Operator    string `json:"operator"`
	NodeKey     string `json:"node_key_seed"`
	NodePubKey  string `json:"node_public_key"`
	NodeAddress string `json:"node_address"`
	Encoded     string `json:"abi_encoded"`
	Digest      string `json:"digest"`
	Signature   string `json:"signature"`
	Result      string `json:"result"`
}

// TestPopVectors checks testdata/vectors/pop.json (made by internal/vectorgen)
// against this package and against the NodeRegistry contract itself: every
// vector's addresses, public key, abi encoding and digest follow from its
// inputs, and an accepted proof is what SignPop makes (or that with v − 27).
// Then, on a simulated chain with the registry deployed where the devnet
// preset expects it, the contract's popDigest is each devnet vector's digest,
// every BadProof vector's register call reverts with BadProof, and every
// accepted one registers its node.
func TestPopVectors(t *testing.T) {
	b, err := os.ReadFile("../testdata/vectors/pop.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Description string      `json:"description"`
		DomainTag   string      `json:"domain_tag"`
		Domain      string      `json:"domain"`
		Vectors     []popVector `json:"vectors"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decode vectors: %v", err)
	}
	if crypto.Keccak256Hash([]byte(f.DomainTag)) != chain.PopDomain || f.Domain != chain.PopDomain.Hex() {
		t.Fatalf("file states domain %s = keccak256(%q); PopDomain is %s", f.Domain, f.DomainTag, chain.PopDomain.Hex())
	}

	for _, v := range f.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			op, nk := key(t, v.OperatorKey), key(t, v.NodeKey)
			if got := crypto.PubkeyToAddress(op.PublicKey).Hex(); got != v.Operator {
				t.Errorf("operator %s, file says %s", got, v.Operator)
			}
			if got := hexutil.Encode(chain.PubKeyBytes(&nk.PublicKey)); got != v.NodePubKey {
				t.Errorf("node public key %s, file says %s", got, v.NodePubKey)
			}
			if got := crypto.Keccak256Hash(hexutil.MustDecode(v.NodePubKey)); common.BytesToAddress(got[12:]).Hex() != v.NodeAddress {
				t.Errorf("node address %s, file says %s", common.BytesToAddress(got[12:]).Hex(), v.NodeAddress)
			}
			chainID, registry, operator := new(big.Int).SetUint64(v.ChainID), common.HexToAddress(v.Registry), common.HexToAddress(v.Operator)
			d := chain.PopDigest(chainID, registry, operator)
			if d.Hex() != v.Digest || crypto.Keccak256Hash(hexutil.MustDecode(v.Encoded)) != d {
				t.Errorf("digest %s, file says %s = keccak256(%s)", d.Hex(), v.Digest, v.Encoded)
			}
			words := bytes.Join([][]byte{chain.PopDomain[:], common.LeftPadBytes(chainID.Bytes(), 32),
				common.LeftPadBytes(registry[:], 32), common.LeftPadBytes(operator[:], 32)}, nil)
			if got := hexutil.Encode(words); got != v.Encoded {
				t.Errorf("abi encoding %s, file says %s", got, v.Encoded)
			}
			if v.Result != "accept" {
				return
			}
			want, err := chain.SignPop(nk, chainID, registry, operator)
			if err != nil {
				t.Fatal(err)
			}
			sig := hexutil.MustDecode(v.Signature)
			if !bytes.Equal(sig, want) && !(len(sig) == 65 && bytes.Equal(sig[:64], want[:64]) && sig[64]+27 == want[64]) {
				t.Errorf("signature %s; SignPop makes %x", v.Signature, want)
			}
		})
	}

	// The real contract, at the devnet preset's address on a dev chain.
	deployer := chain.NewKeySigner(chain.DevnetDeployerKey)
	alloc := map[common.Address]*big.Int{deployer.Address: ether(1_000_000)}
	for _, v := range f.Vectors {
		alloc[common.HexToAddress(v.Operator)] = ether(1_000_000)
	}
	c, err := devchain.New(devchain.Config{Alloc: alloc, Automine: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, backend := t.Context(), c.Client()
	addr, _, err := chain.Deploy(ctx, backend, deployer, chain.DeployParams{MinStake: minStake, UnbondingPeriod: unbonding}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if addr != chain.DevnetRegistry {
		t.Fatalf("registry deployed at %s, want the devnet preset's %s", addr, chain.DevnetRegistry)
	}
	reg, err := regabi.NewNodeRegistry(addr, backend)
	if err != nil {
		t.Fatal(err)
	}
	opts := &bind.CallOpts{Context: ctx}
	submit := func(t *testing.T, v popVector) error {
		t.Helper()
		d, err := reg.PopDigest(opts, common.HexToAddress(v.Operator))
		if err != nil {
			t.Fatalf("popDigest: %v", err)
		}
		if got := common.Hash(d).Hex(); got != v.Digest {
			t.Errorf("the contract's popDigest is %s, file says %s", got, v.Digest)
		}
		tx, err := chain.NewTransactor(ctx, backend, addr, chain.NewKeySigner(key(t, v.OperatorKey)), chain.WithReceiptPoll(5*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.RegisterWithProof(ctx, hexutil.MustDecode(v.NodePubKey), []string{"/ip4/192.0.2.1/tcp/9000"}, v.Name, hexutil.MustDecode(v.Signature), minStake)
		return err
	}
	onDevnet := func(v popVector) bool {
		return v.ChainID == devchain.ChainID && common.HexToAddress(v.Registry) == chain.DevnetRegistry
	}
	accepted, refused := 0, 0
	// Refused proofs first: an accepted one uses up its node key for good.
	for _, v := range f.Vectors {
		if v.Result == "accept" || !onDevnet(v) {
			continue
		}
		t.Run("contract_"+v.Name, func(t *testing.T) {
			if v.Result != "BadProof" {
				t.Fatalf("result %s; the vectors are accept or BadProof", v.Result)
			}
			expectContractError(t, submit(t, v), "BadProof", nil)
			refused++
		})
	}
	for _, v := range f.Vectors {
		if v.Result != "accept" || !onDevnet(v) {
			continue
		}
		t.Run("contract_"+v.Name, func(t *testing.T) {
			if err := submit(t, v); err != nil {
				t.Fatalf("register: %v", err)
			}
			n, err := chain.ReadNode(ctx, backend, addr, common.HexToAddress(v.NodeAddress))
			if err != nil || n.Status != chain.StatusActive || n.Operator != common.HexToAddress(v.Operator) {
				t.Errorf("node %s after register: %+v (%v)", v.NodeAddress, n, err)
			}
			accepted++
		})
	}
	if accepted == 0 || refused == 0 {
		t.Errorf("%d accepted and %d refused proofs went to the contract; want some of each", accepted, refused)
	}
}
