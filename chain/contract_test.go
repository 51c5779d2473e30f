package chain_test

// Tests of every NodeRegistry path on the dev chain: each state change through
// chain.Transactor, each rejection by its custom error name, and the views.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	regabi "validator/abi"
	"validator/chain"
	"validator/chain/devchain"
)

// testAccountability are valid constructor accountability parameters, the
// defaults' (chain.DefaultAccountability) with sink as the slash sink.
func testAccountability(sink common.Address) regabi.NodeRegistryAccountability {
	d := chain.DefaultAccountability
	return regabi.NodeRegistryAccountability{
		ReportWindow:     uint64(d.ReportWindow / time.Second),
		OfflineThreshold: uint64(d.OfflineThreshold / time.Second),
		ReportDeadline:   uint64(d.ReportDeadline / time.Second),
		JailPeriod:       uint64(d.JailPeriod / time.Second),
		SlashBps:         d.SlashBps,
		CommitteeSize:    d.CommitteeSize,
		SlashSink:        sink,
	}
}

// contractEnv is an env with the registry binding and a Transactor per operator.
type contractEnv struct {
	*env
	ctx     context.Context
	reg     *regabi.NodeRegistry
	ops     []*chain.Transactor
	chainID *big.Int
}

func newContractEnv(t *testing.T, operators int) *contractEnv {
	t.Helper()
	return newContractEnvWith(t, envConfig{operators: operators})
}

func newContractEnvWith(t *testing.T, cfg envConfig) *contractEnv {
	t.Helper()
	e := newEnv(t, cfg)
	reg, err := regabi.NewNodeRegistry(e.registry, e.backend)
	if err != nil {
		t.Fatal(err)
	}
	c := &contractEnv{env: e, ctx: t.Context(), reg: reg, chainID: big.NewInt(devchain.ChainID)}
	for _, op := range e.operators {
		c.ops = append(c.ops, e.transactor(op))
	}
	return c
}

func (c *contractEnv) callOpts() *bind.CallOpts { return &bind.CallOpts{Context: c.ctx} }

// registerKey registers nk with operator op as its operator.
func (c *contractEnv) registerKey(t testing.TB, op int, nk []byte, addrs []string, metadata string, stake *big.Int) (common.Address, chain.Receipt) {
	t.Helper()
	k, err := crypto.ToECDSA(nk)
	if err != nil {
		t.Fatal(err)
	}
	id, r, err := c.ops[op].Register(c.ctx, k, addrs, metadata, stake)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	c.settle(t, r.Block)
	return id, r
}

func (c *contractEnv) exit(t testing.TB, op int, id common.Address) chain.Receipt {
	t.Helper()
	r, err := c.ops[op].RequestExit(c.ctx, id)
	if err != nil {
		t.Fatalf("request exit: %v", err)
	}
	c.settle(t, r.Block)
	return r
}

// elapse seals an empty block d later than the head. Right after a transaction
// is mined the pool may still list it as pending, which AdjustTime refuses.
func (c *contractEnv) elapse(t *testing.T, d time.Duration) {
	t.Helper()
	eventually(t, "an empty block", func() bool { return c.chain.AdjustTime(d) == nil })
}

func (c *contractEnv) node(t testing.TB, id common.Address) chain.Node {
	t.Helper()
	n, err := chain.ReadNode(c.ctx, c.backend, c.registry, id)
	if err != nil {
		t.Fatalf("read node: %v", err)
	}
	return n
}

func (c *contractEnv) count(t testing.TB) uint64 {
	t.Helper()
	n, err := c.reg.NodeCount(c.callOpts())
	if err != nil {
		t.Fatalf("nodeCount: %v", err)
	}
	return n.Uint64()
}

func (c *contractEnv) isActive(t testing.TB, id common.Address) bool {
	t.Helper()
	ok, err := c.reg.IsActive(c.callOpts(), id)
	if err != nil {
		t.Fatalf("isActive: %v", err)
	}
	return ok
}

// activeIDs lists getNodes(0, MaxPage), sorted.
func (c *contractEnv) activeIDs(t testing.TB) []common.Address {
	t.Helper()
	page, err := c.reg.GetNodes(c.callOpts(), big.NewInt(0), big.NewInt(chain.MaxPage))
	if err != nil {
		t.Fatalf("getNodes: %v", err)
	}
	var ids []common.Address
	for _, n := range page {
		ids = append(ids, n.Id)
	}
	slices.SortFunc(ids, common.Address.Cmp)
	return ids
}

func (c *contractEnv) balance(t testing.TB, a common.Address) *big.Int {
	t.Helper()
	b, err := c.backend.BalanceAt(c.ctx, a, nil)
	if err != nil {
		t.Fatalf("balance: %v", err)
	}
	return b
}

// receipt waits for a transaction's receipt and for the head to include it.
func (c *contractEnv) receipt(t testing.TB, hash common.Hash) *types.Receipt {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := c.backend.TransactionReceipt(c.ctx, hash)
		if err == nil {
			c.settle(t, r.BlockNumber.Uint64())
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("receipt of %s: %v", hash, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// settle waits until the head is at least block. The dev chain indexes a block's
// receipts a moment before it moves its head, and calls and gas estimates run at
// the head, so a read right after a Transactor returns can miss its transaction.
func (c *contractEnv) settle(t testing.TB, block uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h, err := c.backend.HeaderByNumber(c.ctx, nil)
		if err == nil && h.Number.Uint64() >= block {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("head did not reach block %d: %v", block, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fee is what a mined transaction cost its sender in gas.
func (c *contractEnv) fee(t testing.TB, r chain.Receipt) *big.Int {
	t.Helper()
	rc := c.receipt(t, r.TxHash)
	return new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)
}

// onlyLog returns the single log a transaction emitted, which must be the registry's.
func (c *contractEnv) onlyLog(t testing.TB, r chain.Receipt) types.Log {
	t.Helper()
	rc := c.receipt(t, r.TxHash)
	if len(rc.Logs) != 1 {
		t.Fatalf("transaction emitted %d logs, want 1", len(rc.Logs))
	}
	if rc.Logs[0].Address != c.registry {
		t.Fatalf("log from %s, want the registry %s", rc.Logs[0].Address, c.registry)
	}
	return *rc.Logs[0]
}

func (c *contractEnv) blockTime(t testing.TB, block uint64) uint64 {
	t.Helper()
	h, err := c.backend.HeaderByNumber(c.ctx, new(big.Int).SetUint64(block))
	if err != nil {
		t.Fatalf("header %d: %v", block, err)
	}
	return h.Time
}

// nodeKey is a deterministic node key as raw bytes, with its public key and ID.
func nodeKey(t testing.TB, seed string) (raw, pub []byte, id common.Address) {
	t.Helper()
	k := key(t, "node-"+seed)
	return crypto.FromECDSA(k), chain.PubKeyBytes(&k.PublicKey), crypto.PubkeyToAddress(k.PublicKey)
}

// libp2pPeerID derives the peer ID a libp2p host with this private key has,
// independently of chain.PeerIDFromPubKey.
func libp2pPeerID(t testing.TB, raw []byte) peer.ID {
	t.Helper()
	sk, err := p2pcrypto.UnmarshalSecp256k1PrivateKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func signPop(t testing.TB, raw []byte, chainID *big.Int, registry, operator common.Address) []byte {
	t.Helper()
	k, err := crypto.ToECDSA(raw)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := chain.SignPop(k, chainID, registry, operator)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// multiaddrsOf returns n distinct strings of length bytes each.
func multiaddrsOf(n, length int) []string {
	out := make([]string, n)
	for i := range out {
		p := fmt.Sprintf("/dns4/n%d.example/tcp/4001/", i)
		out[i] = p + strings.Repeat("x", length-len(p))
	}
	return out
}

// expectContractError fails unless err is the registry's custom error name with
// the given arguments (compared as printed).
func expectContractError(t testing.TB, err error, name string, args map[string]string) {
	t.Helper()
	if !chain.IsRevert(err, name) {
		t.Fatalf("err = %v, want registry error %s", err, name)
	}
	var re *chain.RevertError
	errors.As(err, &re)
	for k, want := range args {
		got, ok := re.Args[k]
		if !ok {
			t.Errorf("%s has no argument %q (has %v)", name, k, re.Args)
			continue
		}
		if s := fmt.Sprint(got); s != want {
			t.Errorf("%s argument %s = %s, want %s", name, k, s, want)
		}
	}
}

// contractErrorName names the registry custom error that revert data encodes, or "".
func contractErrorName(data []byte) string {
	if len(data) < 4 {
		return ""
	}
	a, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		panic(err)
	}
	for name, e := range a.Errors {
		if bytes.Equal(e.ID[:4], data[:4]) {
			return name
		}
	}
	return ""
}

// revertData is the revert data an RPC error carries, for calls that bypass
// chain.Transactor.
func revertData(err error) []byte {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return nil
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		return nil
	}
	data, derr := hexutil.Decode(s)
	if derr != nil {
		return nil
	}
	return data
}

// expectNode compares every field.
func expectNode(t testing.TB, got, want chain.Node) {
	t.Helper()
	if got.ID != want.ID {
		t.Errorf("ID = %s, want %s", got.ID, want.ID)
	}
	if got.Operator != want.Operator {
		t.Errorf("Operator = %s, want %s", got.Operator, want.Operator)
	}
	if !bytes.Equal(got.PubKey, want.PubKey) {
		t.Errorf("PubKey = %x, want %x", got.PubKey, want.PubKey)
	}
	if got.PeerID != want.PeerID {
		t.Errorf("PeerID = %s, want %s", got.PeerID, want.PeerID)
	}
	if !slices.Equal(got.Multiaddrs, want.Multiaddrs) {
		t.Errorf("Multiaddrs = %q, want %q", got.Multiaddrs, want.Multiaddrs)
	}
	if got.Metadata != want.Metadata {
		t.Errorf("Metadata = %q, want %q", got.Metadata, want.Metadata)
	}
	if got.Stake == nil || got.Stake.Cmp(want.Stake) != 0 {
		t.Errorf("Stake = %v, want %v", got.Stake, want.Stake)
	}
	if got.Role != want.Role {
		t.Errorf("Role = %s, want %s", got.Role, want.Role)
	}
	if got.Status != want.Status {
		t.Errorf("Status = %s, want %s", got.Status, want.Status)
	}
	if got.RegisteredAt != want.RegisteredAt {
		t.Errorf("RegisteredAt = %d, want %d", got.RegisteredAt, want.RegisteredAt)
	}
	if !got.WithdrawableAt.Equal(want.WithdrawableAt) {
		t.Errorf("WithdrawableAt = %s, want %s", got.WithdrawableAt, want.WithdrawableAt)
	}
}

func TestContractRegister(t *testing.T) {
	c := newContractEnv(t, 1)
	raw, pub, wantID := nodeKey(t, "register")
	addrs := []string{"/ip4/10.0.0.1/tcp/4001", "/dns4/node.example/udp/4001/quic-v1"}
	stake := new(big.Int).Add(minStake, ether(3))
	before := c.balance(t, c.registry)

	id, r := c.registerKey(t, 0, raw, addrs, "region=eu", stake)
	if id != wantID {
		t.Fatalf("Register returned ID %s, want the node key's address %s", id, wantID)
	}
	want := chain.Node{
		ID: wantID, Operator: c.operators[0].Address, PubKey: pub, PeerID: libp2pPeerID(t, raw),
		Multiaddrs: addrs, Metadata: "region=eu", Stake: stake,
		Role: chain.RoleValidator, Status: chain.StatusActive, RegisteredAt: r.Block,
	}

	t.Run("read node", func(t *testing.T) {
		expectNode(t, c.node(t, id), want)
	})
	t.Run("peer ID", func(t *testing.T) {
		got, err := chain.PeerIDFromPubKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.PeerID {
			t.Fatalf("PeerIDFromPubKey = %s, want the libp2p host's %s", got, want.PeerID)
		}
	})
	t.Run("event", func(t *testing.T) {
		ev, err := c.reg.ParseNodeRegistered(c.onlyLog(t, r))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Id != wantID || ev.Operator != want.Operator || !bytes.Equal(ev.PubKey, pub) ||
			!slices.Equal(ev.Multiaddrs, addrs) || ev.Metadata != "region=eu" || ev.Stake.Cmp(stake) != 0 ||
			ev.Role != uint8(chain.RoleValidator) {
			t.Fatalf("NodeRegistered = %+v, want %+v", ev, want)
		}
	})
	t.Run("views", func(t *testing.T) {
		if !c.isActive(t, id) {
			t.Error("isActive = false")
		}
		if n := c.count(t); n != 1 {
			t.Errorf("nodeCount = %d, want 1", n)
		}
		if ids := c.activeIDs(t); !slices.Equal(ids, []common.Address{id}) {
			t.Errorf("getNodes lists %v, want [%s]", ids, id)
		}
		if got := new(big.Int).Sub(c.balance(t, c.registry), before); got.Cmp(stake) != 0 {
			t.Errorf("registry balance grew by %s, want the stake %s", got, stake)
		}
	})
	t.Run("unknown node", func(t *testing.T) {
		_, _, other := nodeKey(t, "never-registered")
		if _, err := chain.ReadNode(c.ctx, c.backend, c.registry, other); !errors.Is(err, chain.ErrUnknownNode) {
			t.Errorf("ReadNode = %v, want ErrUnknownNode", err)
		}
		if c.isActive(t, other) {
			t.Error("isActive = true for an unknown node")
		}
	})
}

// TestContractRegisterBoundaries registers at every bound the contract allows.
func TestContractRegisterBoundaries(t *testing.T) {
	c := newContractEnv(t, 1)
	op := c.operators[0].Address
	cases := []struct {
		name  string
		addrs []string
		meta  string
		stake *big.Int
		// sig, if set, makes the proof of possession instead of chain.SignPop.
		sig func(t testing.TB, raw []byte) []byte
	}{
		{name: "8 multiaddrs", addrs: multiaddrsOf(8, 40), stake: minStake},
		{name: "256-byte multiaddr", addrs: multiaddrsOf(1, 256), stake: minStake},
		{name: "1024-byte metadata", addrs: multiaddrsOf(1, 30), meta: strings.Repeat("m", 1024), stake: minStake},
		{name: "empty metadata", addrs: multiaddrsOf(1, 30), stake: minStake},
		{name: "1-byte multiaddr", addrs: []string{"/"}, stake: minStake},
		{name: "exactly the minimum stake", addrs: multiaddrsOf(1, 30), stake: minStake},
		{name: "recovery id 0 or 1 instead of 27 or 28", addrs: multiaddrsOf(1, 30), stake: minStake,
			sig: func(t testing.TB, raw []byte) []byte {
				k, err := crypto.ToECDSA(raw)
				if err != nil {
					t.Fatal(err)
				}
				d := chain.PopDigest(c.chainID, c.registry, op)
				sig, err := crypto.Sign(d[:], k)
				if err != nil {
					t.Fatal(err)
				}
				return sig
			}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, pub, id := nodeKey(t, "boundary-"+tc.name)
			sig := signPop(t, raw, c.chainID, c.registry, op)
			if tc.sig != nil {
				sig = tc.sig(t, raw)
			}
			r, err := c.ops[0].RegisterWithProof(c.ctx, pub, tc.addrs, tc.meta, sig, tc.stake)
			if err != nil {
				t.Fatalf("register: %v", err)
			}
			c.settle(t, r.Block)
			expectNode(t, c.node(t, id), chain.Node{
				ID: id, Operator: op, PubKey: pub, PeerID: libp2pPeerID(t, raw), Multiaddrs: tc.addrs,
				Metadata: tc.meta, Stake: tc.stake, Status: chain.StatusActive, RegisteredAt: r.Block,
			})
			if n := c.count(t); n != uint64(i+1) {
				t.Errorf("nodeCount = %d, want %d", n, i+1)
			}
		})
	}
}

// highS turns a [r || s || v] signature into its malleated twin
// [r || n−s || 55−v], which ecrecover maps to the same signer.
func highS(t testing.TB, sig []byte) []byte {
	t.Helper()
	n, _ := new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)
	out := slices.Clone(sig)
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:64]))
	s.FillBytes(out[32:64])
	out[64] = 27 + 28 - sig[64]
	return out
}

func TestContractRegisterRejections(t *testing.T) {
	c := newContractEnv(t, 2)
	raw, pub, id := nodeKey(t, "rejected")
	otherRaw, _, _ := nodeKey(t, "rejected-other")
	op0, op1 := c.operators[0].Address, c.operators[1].Address
	valid := signPop(t, raw, c.chainID, c.registry, op0)
	byOtherKey := signPop(t, otherRaw, c.chainID, c.registry, op0)
	forOtherOperator := signPop(t, raw, c.chainID, c.registry, op1)
	forOtherRegistry := signPop(t, raw, c.chainID, common.HexToAddress("0x00000000000000000000000000000000000000aa"), op0)
	forOtherChain := signPop(t, raw, big.NewInt(1), c.registry, op0)

	// The malleated proof must still recover the node key, or its case proves nothing.
	d := chain.PopDigest(c.chainID, c.registry, op0)
	malleated := highS(t, valid)
	rec, err := crypto.Ecrecover(d[:], append(malleated[:64:64], malleated[64]-27))
	if err != nil || !bytes.Equal(rec[1:], pub) {
		t.Fatalf("malleated proof does not recover the node key (err %v)", err)
	}

	type call struct {
		from  int
		stake *big.Int
		pub   []byte
		addrs []string
		meta  string
		sig   []byte
	}
	base := func() call {
		return call{stake: minStake, pub: pub, addrs: []string{"/ip4/127.0.0.1/tcp/4001"}, meta: "m", sig: slices.Clone(valid)}
	}
	cases := []struct {
		name string
		mod  func(*call)
		want string
		args map[string]string
	}{
		{"stake one wei short", func(cl *call) { cl.stake = new(big.Int).Sub(minStake, big.NewInt(1)) },
			"StakeTooLow", map[string]string{"sent": new(big.Int).Sub(minStake, big.NewInt(1)).String(), "minimum": minStake.String()}},
		{"no stake", func(cl *call) { cl.stake = big.NewInt(0) },
			"StakeTooLow", map[string]string{"sent": "0", "minimum": minStake.String()}},
		{"63-byte public key", func(cl *call) { cl.pub = pub[:63] }, "BadPubKey", nil},
		{"65-byte public key with 0x04 prefix", func(cl *call) { cl.pub = append([]byte{4}, pub...) }, "BadPubKey", nil},
		{"empty public key", func(cl *call) { cl.pub = nil }, "BadPubKey", nil},
		{"proof signed by another key", func(cl *call) { cl.sig = byOtherKey }, "BadProof", nil},
		{"proof made for another operator", func(cl *call) { cl.sig = forOtherOperator }, "BadProof", nil},
		{"proof replayed by another operator", func(cl *call) { cl.from = 1 }, "BadProof", nil},
		{"proof for another registry", func(cl *call) { cl.sig = forOtherRegistry }, "BadProof", nil},
		{"proof for another chain", func(cl *call) { cl.sig = forOtherChain }, "BadProof", nil},
		{"64-byte proof", func(cl *call) { cl.sig = cl.sig[:64] }, "BadProof", nil},
		{"66-byte proof", func(cl *call) { cl.sig = append(cl.sig, 0) }, "BadProof", nil},
		{"empty proof", func(cl *call) { cl.sig = nil }, "BadProof", nil},
		{"recovery id 29", func(cl *call) { cl.sig[64] = 29 }, "BadProof", nil},
		{"high-s malleated proof", func(cl *call) { cl.sig = malleated }, "BadProof", nil},
		{"zero r", func(cl *call) { clear(cl.sig[:32]) }, "BadProof", nil},
		{"no multiaddrs", func(cl *call) { cl.addrs = nil }, "NoMultiaddrs", nil},
		{"9 multiaddrs", func(cl *call) { cl.addrs = multiaddrsOf(9, 30) },
			"TooManyMultiaddrs", map[string]string{"count": "9", "maximum": "8"}},
		{"empty multiaddr", func(cl *call) { cl.addrs = []string{"/ip4/127.0.0.1/tcp/1", "", "/ip4/127.0.0.1/tcp/2"} },
			"EmptyMultiaddr", map[string]string{"index": "1"}},
		{"257-byte multiaddr", func(cl *call) { cl.addrs = append(multiaddrsOf(1, 30), multiaddrsOf(1, 257)...) },
			"MultiaddrTooLong", map[string]string{"index": "1", "length": "257", "maximum": "256"}},
		{"1025-byte metadata", func(cl *call) { cl.meta = strings.Repeat("m", 1025) },
			"MetadataTooLong", map[string]string{"length": "1025", "maximum": "1024"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := base()
			tc.mod(&cl)
			_, err := c.ops[cl.from].RegisterWithProof(c.ctx, cl.pub, cl.addrs, cl.meta, cl.sig, cl.stake)
			expectContractError(t, err, tc.want, tc.args)
			if n := c.count(t); n != 0 {
				t.Errorf("nodeCount = %d after a rejection, want 0", n)
			}
		})
	}
	// Every case changes one thing of this call, which the registry accepts.
	t.Run("unchanged call registers", func(t *testing.T) {
		cl := base()
		r, err := c.ops[cl.from].RegisterWithProof(c.ctx, cl.pub, cl.addrs, cl.meta, cl.sig, cl.stake)
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		c.settle(t, r.Block)
		if !c.isActive(t, id) {
			t.Fatal("isActive = false")
		}
	})
}

// TestContractRegisterKeyAlreadyRegistered: a node key registers once, ever.
func TestContractRegisterKeyAlreadyRegistered(t *testing.T) {
	c := newContractEnv(t, 2)
	raw, _, id := nodeKey(t, "twice")
	nk, err := crypto.ToECDSA(raw)
	if err != nil {
		t.Fatal(err)
	}
	addrs := []string{"/ip4/127.0.0.1/tcp/4001"}
	c.registerKey(t, 0, raw, addrs, "", minStake)

	// Register signs a valid proof for its own account, so only the key's
	// history stands in the way, for the first operator and for another.
	again := func(t *testing.T) {
		for i, op := range c.ops {
			t.Run(fmt.Sprintf("operator %d", i), func(t *testing.T) {
				_, _, err := op.Register(c.ctx, nk, addrs, "again", minStake)
				expectContractError(t, err, "KeyAlreadyRegistered", map[string]string{"id": id.String()})
				if n := c.node(t, id); n.Operator != c.operators[0].Address || n.Metadata != "" {
					t.Errorf("node changed: operator %s, metadata %q", n.Operator, n.Metadata)
				}
			})
		}
	}
	t.Run("while active", again)
	c.exit(t, 0, id)
	t.Run("after exit", again)
	c.elapse(t, unbonding)
	r, err := c.ops[0].Withdraw(c.ctx, id)
	if err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	c.settle(t, r.Block)
	t.Run("after withdraw", again)
	if n := c.count(t); n != 0 {
		t.Errorf("nodeCount = %d, want 0", n)
	}
}

func TestContractUpdate(t *testing.T) {
	c := newContractEnv(t, 2)
	raw, _, id := nodeKey(t, "update")
	_, _, unknown := nodeKey(t, "update-unknown")
	c.registerKey(t, 0, raw, []string{"/ip4/10.0.0.1/tcp/1", "/ip4/10.0.0.2/tcp/2"}, "v1", minStake)
	op := c.ops[0]

	t.Run("addrs", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			addrs []string
		}{
			{"one replaces two", []string{"/ip4/10.0.0.3/tcp/3"}},
			{"8 of 256 bytes", multiaddrsOf(8, 256)},
			{"two again", []string{"/ip4/10.0.0.4/tcp/4", "/ip4/10.0.0.5/tcp/5"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := c.node(t, id)
				r, err := op.UpdateAddrs(c.ctx, id, tc.addrs)
				if err != nil {
					t.Fatalf("update addrs: %v", err)
				}
				c.settle(t, r.Block)
				ev, err := c.reg.ParseAddrsUpdated(c.onlyLog(t, r))
				if err != nil {
					t.Fatal(err)
				}
				if ev.Id != id || !slices.Equal(ev.Multiaddrs, tc.addrs) {
					t.Errorf("AddrsUpdated = %s %q, want %s %q", ev.Id, ev.Multiaddrs, id, tc.addrs)
				}
				want := before
				want.Multiaddrs = tc.addrs
				expectNode(t, c.node(t, id), want)
			})
		}
	})
	t.Run("metadata", func(t *testing.T) {
		for _, tc := range []struct{ name, meta string }{
			{"short", "v2"},
			{"1024 bytes", strings.Repeat("m", 1024)},
			{"empty", ""},
			{"short again", "v3"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := c.node(t, id)
				r, err := op.UpdateMetadata(c.ctx, id, tc.meta)
				if err != nil {
					t.Fatalf("update metadata: %v", err)
				}
				c.settle(t, r.Block)
				ev, err := c.reg.ParseMetadataUpdated(c.onlyLog(t, r))
				if err != nil {
					t.Fatal(err)
				}
				if ev.Id != id || ev.Metadata != tc.meta {
					t.Errorf("MetadataUpdated = %s %q, want %s %q", ev.Id, ev.Metadata, id, tc.meta)
				}
				want := before
				want.Metadata = tc.meta
				expectNode(t, c.node(t, id), want)
			})
		}
	})

	good := []string{"/ip4/10.0.0.9/tcp/9"}
	rejections := func(t *testing.T, cases []rejection) {
		t.Helper()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := c.node(t, id)
				_, err := tc.do()
				expectContractError(t, err, tc.want, tc.args)
				expectNode(t, c.node(t, id), before)
			})
		}
	}
	notOperator := map[string]string{"caller": c.operators[1].Address.String(), "operator": c.operators[0].Address.String()}
	t.Run("rejected", func(t *testing.T) {
		rejections(t, []rejection{
			{"addrs from another account", func() (chain.Receipt, error) { return c.ops[1].UpdateAddrs(c.ctx, id, good) }, "NotOperator", notOperator},
			{"metadata from another account", func() (chain.Receipt, error) { return c.ops[1].UpdateMetadata(c.ctx, id, "x") }, "NotOperator", notOperator},
			{"addrs of an unknown node", func() (chain.Receipt, error) { return op.UpdateAddrs(c.ctx, unknown, good) }, "UnknownNode", map[string]string{"id": unknown.String()}},
			{"metadata of an unknown node", func() (chain.Receipt, error) { return op.UpdateMetadata(c.ctx, unknown, "x") }, "UnknownNode", map[string]string{"id": unknown.String()}},
			{"no addrs", func() (chain.Receipt, error) { return op.UpdateAddrs(c.ctx, id, []string{}) }, "NoMultiaddrs", nil},
			{"9 addrs", func() (chain.Receipt, error) { return op.UpdateAddrs(c.ctx, id, multiaddrsOf(9, 30)) }, "TooManyMultiaddrs", map[string]string{"count": "9", "maximum": "8"}},
			{"empty addr", func() (chain.Receipt, error) { return op.UpdateAddrs(c.ctx, id, append(multiaddrsOf(2, 30), "")) }, "EmptyMultiaddr", map[string]string{"index": "2"}},
			{"257-byte addr", func() (chain.Receipt, error) {
				return op.UpdateAddrs(c.ctx, id, append(multiaddrsOf(7, 256), multiaddrsOf(1, 257)...))
			}, "MultiaddrTooLong", map[string]string{"index": "7", "length": "257", "maximum": "256"}},
			{"1025-byte metadata", func() (chain.Receipt, error) { return op.UpdateMetadata(c.ctx, id, strings.Repeat("m", 1025)) }, "MetadataTooLong", map[string]string{"length": "1025", "maximum": "1024"}},
		})
	})

	c.exit(t, 0, id)
	notActive := map[string]string{"id": id.String()}
	t.Run("after exit", func(t *testing.T) {
		rejections(t, []rejection{
			{"addrs", func() (chain.Receipt, error) { return op.UpdateAddrs(c.ctx, id, good) }, "NotActive", notActive},
			{"metadata", func() (chain.Receipt, error) { return op.UpdateMetadata(c.ctx, id, "x") }, "NotActive", notActive},
		})
	})
}

// rejection is a transaction the registry must refuse with a custom error.
type rejection struct {
	name string
	do   func() (chain.Receipt, error)
	want string
	args map[string]string
}

func TestContractAddStake(t *testing.T) {
	c := newContractEnv(t, 2)
	raw, _, id := nodeKey(t, "stake")
	_, _, unknown := nodeKey(t, "stake-unknown")
	c.registerKey(t, 0, raw, []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	op := c.ops[0]

	t.Run("sums", func(t *testing.T) {
		total := new(big.Int).Set(minStake)
		for _, amount := range []*big.Int{ether(1), big.NewInt(1), ether(5)} {
			total.Add(total, amount)
			r, err := op.AddStake(c.ctx, id, amount)
			if err != nil {
				t.Fatalf("add stake %s: %v", amount, err)
			}
			c.settle(t, r.Block)
			ev, err := c.reg.ParseStakeAdded(c.onlyLog(t, r))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Id != id || ev.Amount.Cmp(amount) != 0 || ev.Stake.Cmp(total) != 0 {
				t.Errorf("StakeAdded = %s %s %s, want %s %s %s", ev.Id, ev.Amount, ev.Stake, id, amount, total)
			}
			if got := c.node(t, id).Stake; got.Cmp(total) != 0 {
				t.Errorf("stake = %s, want %s", got, total)
			}
			if got := c.balance(t, c.registry); got.Cmp(total) != 0 {
				t.Errorf("registry balance = %s, want %s", got, total)
			}
		}
	})

	check := func(t *testing.T, tc rejection) {
		before, held := c.node(t, id).Stake, c.balance(t, c.registry)
		_, err := tc.do()
		expectContractError(t, err, tc.want, tc.args)
		if got := c.node(t, id).Stake; got.Cmp(before) != 0 {
			t.Errorf("stake = %s, want %s", got, before)
		}
		if got := c.balance(t, c.registry); got.Cmp(held) != 0 {
			t.Errorf("registry balance = %s, want %s", got, held)
		}
	}
	for _, tc := range []rejection{
		{"zero amount", func() (chain.Receipt, error) { return op.AddStake(c.ctx, id, big.NewInt(0)) }, "ZeroAmount", nil},
		{"no amount", func() (chain.Receipt, error) { return op.AddStake(c.ctx, id, nil) }, "ZeroAmount", nil},
		{"another account", func() (chain.Receipt, error) { return c.ops[1].AddStake(c.ctx, id, ether(1)) }, "NotOperator",
			map[string]string{"caller": c.operators[1].Address.String(), "operator": c.operators[0].Address.String()}},
		{"unknown node", func() (chain.Receipt, error) { return op.AddStake(c.ctx, unknown, ether(1)) }, "UnknownNode", map[string]string{"id": unknown.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, tc) })
	}
	c.exit(t, 0, id)
	t.Run("after exit", func(t *testing.T) {
		check(t, rejection{"", func() (chain.Receipt, error) { return op.AddStake(c.ctx, id, ether(1)) }, "NotActive", map[string]string{"id": id.String()}})
	})
}

// TestContractRequestExit exits nodes from the middle, the end and the start of
// the active list, so that swap-and-pop must keep every slot index right.
func TestContractRequestExit(t *testing.T) {
	c := newContractEnv(t, 2)
	ids := map[string]common.Address{}
	for _, name := range []string{"a", "b", "c", "d"} {
		raw, _, _ := nodeKey(t, "exit-"+name)
		ids[name], _ = c.registerKey(t, 0, raw, []string{"/ip4/127.0.0.1/tcp/4001"}, name, minStake)
	}
	_, _, unknown := nodeKey(t, "exit-unknown")

	for _, tc := range []rejection{
		{"another account", func() (chain.Receipt, error) { return c.ops[1].RequestExit(c.ctx, ids["a"]) }, "NotOperator",
			map[string]string{"caller": c.operators[1].Address.String(), "operator": c.operators[0].Address.String()}},
		{"unknown node", func() (chain.Receipt, error) { return c.ops[0].RequestExit(c.ctx, unknown) }, "UnknownNode", map[string]string{"id": unknown.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.do()
			expectContractError(t, err, tc.want, tc.args)
			if n := c.count(t); n != 4 {
				t.Errorf("nodeCount = %d, want 4", n)
			}
		})
	}

	// After b leaves, d moves into b's slot; d leaving next needs its moved slot.
	for _, step := range []struct {
		exit   string
		remain []string
	}{
		{"b", []string{"a", "c", "d"}},
		{"d", []string{"a", "c"}},
		{"a", []string{"c"}},
		{"c", nil},
	} {
		t.Run("exit "+step.exit, func(t *testing.T) {
			id := ids[step.exit]
			r := c.exit(t, 0, id)
			ev, err := c.reg.ParseExitRequested(c.onlyLog(t, r))
			if err != nil {
				t.Fatal(err)
			}
			at := c.blockTime(t, r.Block) + uint64(unbonding/time.Second)
			if ev.Id != id || ev.WithdrawableAt != at {
				t.Errorf("ExitRequested = %s %d, want %s %d", ev.Id, ev.WithdrawableAt, id, at)
			}
			n := c.node(t, id)
			if n.Status != chain.StatusExiting || !n.WithdrawableAt.Equal(time.Unix(int64(at), 0)) || n.Stake.Cmp(minStake) != 0 {
				t.Errorf("node = %s withdrawable at %s stake %s, want exiting at %s with %s", n.Status, n.WithdrawableAt, n.Stake, time.Unix(int64(at), 0).UTC(), minStake)
			}
			if c.isActive(t, id) {
				t.Error("isActive = true after exit")
			}
			var want []common.Address
			for _, name := range step.remain {
				want = append(want, ids[name])
				if !c.isActive(t, ids[name]) {
					t.Errorf("isActive(%s) = false", name)
				}
			}
			slices.SortFunc(want, common.Address.Cmp)
			if got := c.activeIDs(t); !slices.Equal(got, want) {
				t.Errorf("getNodes lists %v, want %v", got, want)
			}
			if got := c.count(t); got != uint64(len(want)) {
				t.Errorf("nodeCount = %d, want %d", got, len(want))
			}
		})
	}

	t.Run("second exit", func(t *testing.T) {
		for name, id := range ids {
			_, err := c.ops[0].RequestExit(c.ctx, id)
			expectContractError(t, err, "NotActive", map[string]string{"id": id.String()})
			if t.Failed() {
				t.Fatalf("node %s", name)
			}
		}
	})
}

func TestContractWithdraw(t *testing.T) {
	c := newContractEnv(t, 2)
	raw, _, id := nodeKey(t, "withdraw")
	_, _, unknown := nodeKey(t, "withdraw-unknown")
	c.registerKey(t, 0, raw, []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	op := c.ops[0]
	r, err := op.AddStake(c.ctx, id, ether(2))
	if err != nil {
		t.Fatalf("add stake: %v", err)
	}
	c.settle(t, r.Block)
	stake := new(big.Int).Add(minStake, ether(2))
	withdraw := func(i int) func() (chain.Receipt, error) {
		return func() (chain.Receipt, error) { return c.ops[i].Withdraw(c.ctx, id) }
	}
	refused := func(t *testing.T, tc rejection) {
		t.Helper()
		before := c.node(t, id)
		_, err := tc.do()
		expectContractError(t, err, tc.want, tc.args)
		expectNode(t, c.node(t, id), before)
	}

	t.Run("active node", func(t *testing.T) {
		refused(t, rejection{do: withdraw(0), want: "NotExiting", args: map[string]string{"id": id.String()}})
	})
	r = c.exit(t, 0, id)
	at := c.blockTime(t, r.Block) + uint64(unbonding/time.Second)
	bonded := map[string]string{"withdrawableAt": fmt.Sprint(at)}
	t.Run("right after exit", func(t *testing.T) {
		refused(t, rejection{do: withdraw(0), want: "StillBonded", args: bonded})
	})
	c.elapse(t, unbonding-time.Minute)
	t.Run("a minute before the end of unbonding", func(t *testing.T) {
		refused(t, rejection{do: withdraw(0), want: "StillBonded", args: bonded})
	})
	c.elapse(t, time.Minute)
	for _, tc := range []rejection{
		{"another account", withdraw(1), "NotOperator", map[string]string{"caller": c.operators[1].Address.String(), "operator": c.operators[0].Address.String()}},
		{"unknown node", func() (chain.Receipt, error) { return op.Withdraw(c.ctx, unknown) }, "UnknownNode", map[string]string{"id": unknown.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) { refused(t, tc) })
	}

	t.Run("operator after unbonding", func(t *testing.T) {
		before, held := c.balance(t, c.operators[0].Address), c.balance(t, c.registry)
		r, err := op.Withdraw(c.ctx, id)
		if err != nil {
			t.Fatalf("withdraw: %v", err)
		}
		c.settle(t, r.Block)
		// The operator gets the whole stake and pays only the gas.
		want := new(big.Int).Sub(new(big.Int).Add(before, stake), c.fee(t, r))
		if got := c.balance(t, c.operators[0].Address); got.Cmp(want) != 0 {
			t.Errorf("operator balance = %s, want %s (delta off by %s wei)", got, want, new(big.Int).Sub(got, want))
		}
		if got := new(big.Int).Sub(held, c.balance(t, c.registry)); got.Cmp(stake) != 0 {
			t.Errorf("registry paid out %s, want %s", got, stake)
		}
		ev, err := c.reg.ParseWithdrawn(c.onlyLog(t, r))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Id != id || ev.Operator != c.operators[0].Address || ev.Amount.Cmp(stake) != 0 {
			t.Errorf("Withdrawn = %s %s %s, want %s %s %s", ev.Id, ev.Operator, ev.Amount, id, c.operators[0].Address, stake)
		}
		n := c.node(t, id)
		if n.Status != chain.StatusWithdrawn || n.Stake.Sign() != 0 {
			t.Errorf("node = %s with stake %s, want withdrawn with 0", n.Status, n.Stake)
		}
		if c.isActive(t, id) {
			t.Error("isActive = true")
		}
	})
	t.Run("second withdraw", func(t *testing.T) {
		refused(t, rejection{do: withdraw(0), want: "NotExiting", args: map[string]string{"id": id.String()}})
	})
}

// operatorContract is a contract that operates nodes, compiled with the solcjs
// pinned in contracts/package-lock.json (0.8.30, optimizer 200 runs, cancun)
// from this source:
//
//	contract Operator {
//	    address private immutable registry;
//	    uint256 public mode;
//	    address public node;
//	    bool public reentered;
//	    bytes public reentryError;
//
//	    constructor(address registry_) {
//	        registry = registry_;
//	    }
//
//	    function setMode(uint256 mode_, address node_) external {
//	        mode = mode_;
//	        node = node_;
//	    }
//
//	    // exec forwards a call with its value and bubbles the registry's revert data.
//	    function exec(bytes calldata data) external payable {
//	        (bool ok, bytes memory ret) = registry.call{value: msg.value}(data);
//	        if (!ok) {
//	            assembly {
//	                revert(add(ret, 32), mload(ret))
//	            }
//	        }
//	    }
//
//	    // Mode 0 accepts ether, mode 1 refuses it, mode 2 calls withdraw(node)
//	    // once more from inside the payout and keeps that call's outcome.
//	    receive() external payable {
//	        if (mode == 1) revert("refused");
//	        if (mode == 2) {
//	            mode = 0;
//	            (bool ok, bytes memory ret) = registry.call(abi.encodeWithSignature("withdraw(address)", node));
//	            reentered = ok;
//	            reentryError = ret;
//	        }
//	    }
//	}
const operatorContractABI = `[{"inputs":[{"internalType":"address","name":"registry_","type":"address"}],"stateMutability":"nonpayable","type":"constructor"},
{"inputs":[{"internalType":"bytes","name":"data","type":"bytes"}],"name":"exec","outputs":[],"stateMutability":"payable","type":"function"},
{"inputs":[],"name":"mode","outputs":[{"internalType":"uint256","name":"","type":"uint256"}],"stateMutability":"view","type":"function"},
{"inputs":[],"name":"node","outputs":[{"internalType":"address","name":"","type":"address"}],"stateMutability":"view","type":"function"},
{"inputs":[],"name":"reentered","outputs":[{"internalType":"bool","name":"","type":"bool"}],"stateMutability":"view","type":"function"},
{"inputs":[],"name":"reentryError","outputs":[{"internalType":"bytes","name":"","type":"bytes"}],"stateMutability":"view","type":"function"},
{"inputs":[{"internalType":"uint256","name":"mode_","type":"uint256"},{"internalType":"address","name":"node_","type":"address"}],"name":"setMode","outputs":[],"stateMutability":"nonpayable","type":"function"},
{"stateMutability":"payable","type":"receive"}]`

const operatorContractBin = "" +
	"60a0604052348015600e575f5ffd5b506040516106bc3803806106bc833981016040819052602b91603b565b60016001" +
	"60a01b03166080526066565b5f60208284031215604a575f5ffd5b81516001600160a01b0381168114605f575f5ffd5b" +
	"9392505050565b6080516106386100845f395f818160c2015261029201526106385ff3fe608060405260043610610057" +
	"575f3560e01c8063295a52121461018c5780633f09775e146101b357806355f86501146101e3578063680c5eb5146101" +
	"f6578063ca6ddc2f14610236578063d70754ec14610257575f5ffd5b36610188575f5460010361009b5760405162461b" +
	"cd60e51b81526020600482015260076024820152661c99599d5cd95960ca1b604482015260640160405180910390fd5b" +
	"5f54600203610186575f8080556001546040516001600160a01b03918216602482015282917f00000000000000000000" +
	"00000000000000000000000000000000000000000000169060440160408051601f198184030181529181526020820180" +
	"516001600160e01b03166351cff8d960e01b1790525161011b91906103ae565b5f604051808303815f865af19150503d" +
	"805f8114610154576040519150601f19603f3d011682016040523d82523d5f602084013e610159565b606091505b5060" +
	"01805460ff60a01b1916600160a01b8415150217905590925090506002610182828261045c565b5050505b005b5f5ffd" +
	"5b348015610197575f5ffd5b506101a05f5481565b6040519081526020015b60405180910390f35b3480156101be575f" +
	"5ffd5b506001546101d390600160a01b900460ff1681565b60405190151581526020016101aa565b6101866101f13660" +
	"04610517565b61028e565b348015610201575f5ffd5b50610186610210366004610585565b5f91909155600180546001" +
	"600160a01b0319166001600160a01b03909216919091179055565b348015610241575f5ffd5b5061024a610322565b60" +
	"40516101aa91906105be565b348015610262575f5ffd5b50600154610276906001600160a01b031681565b6040516001" +
	"600160a01b0390911681526020016101aa565b5f5f7f0000000000000000000000000000000000000000000000000000" +
	"0000000000006001600160a01b03163485856040516102cb9291906105f3565b5f6040518083038185875af192505050" +
	"3d805f8114610305576040519150601f19603f3d011682016040523d82523d5f602084013e61030a565b606091505b50" +
	"915091508161031c57805160208201fd5b50505050565b6002805461032f906103d8565b80601f016020809104026020" +
	"016040519081016040528092919081815260200182805461035b906103d8565b80156103a65780601f1061037d576101" +
	"008083540402835291602001916103a6565b820191905f5260205f20905b815481529060010190602001808311610389" +
	"57829003601f168201915b505050505081565b5f82518060208501845e5f920191825250919050565b634e487b7160e0" +
	"1b5f52604160045260245ffd5b600181811c908216806103ec57607f821691505b60208210810361040a57634e487b71" +
	"60e01b5f52602260045260245ffd5b50919050565b601f82111561045757805f5260205f20601f840160051c81016020" +
	"8510156104355750805b601f840160051c820191505b81811015610454575f8155600101610441565b50505b50505056" +
	"5b815167ffffffffffffffff811115610476576104766103c4565b61048a8161048484546103d8565b84610410565b60" +
	"20601f8211600181146104bc575f83156104a55750848201515b5f19600385901b1c1916600184901b17845561045456" +
	"5b5f84815260208120601f198516915b828110156104eb57878501518255602094850194600190920191016104cb565b" +
	"508482101561050857868401515f19600387901b60f8161c191681555b50505050600190811b01905550565b5f5f6020" +
	"8385031215610528575f5ffd5b823567ffffffffffffffff81111561053e575f5ffd5b8301601f8101851361054e575f" +
	"5ffd5b803567ffffffffffffffff811115610564575f5ffd5b856020828401011115610575575f5ffd5b602091909101" +
	"9590945092505050565b5f5f60408385031215610596575f5ffd5b8235915060208301356001600160a01b0381168114" +
	"6105b3575f5ffd5b809150509250929050565b602081525f82518060208401528060208501604085015e5f6040828501" +
	"01526040601f19601f83011684010191505092915050565b818382375f910190815291905056fea26469706673582212" +
	"208e27f5a85798e5cd454b496a092f013c79c5098fff2cd53aaf76861e37dd50cf64736f6c634300081e0033"

// TestContractWithdrawToContract withdraws to an operator that is a contract:
// one that refuses the payout (TransferFailed, nothing changes) and one that
// re-enters withdraw from the payout (the lock refuses it; paid once).
func TestContractWithdrawToContract(t *testing.T) {
	c := newContractEnv(t, 1)
	ownerKey := key(t, "operator-0") // the key behind c.operators[0]
	opts := func(value *big.Int) *bind.TransactOpts {
		o := bind.NewKeyedTransactor(ownerKey, c.chainID)
		o.Context, o.Value = c.ctx, value
		return o
	}
	parsed, err := abi.JSON(strings.NewReader(operatorContractABI))
	if err != nil {
		t.Fatal(err)
	}
	ctor, err := parsed.Pack("", c.registry)
	if err != nil {
		t.Fatal(err)
	}
	addr, tx, err := bind.DeployContract(opts(nil), common.FromHex(operatorContractBin), c.backend, ctor)
	if err != nil {
		t.Fatalf("deploy operator contract: %v", err)
	}
	if rc := c.receipt(t, tx.Hash()); rc.Status != types.ReceiptStatusSuccessful {
		t.Fatal("operator contract deployment reverted")
	}
	contract := bind.NewBoundContract(addr, parsed, c.backend, c.backend, c.backend)
	registryABI, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		t.Fatal(err)
	}
	transact := func(t *testing.T, value *big.Int, method string, args ...any) error {
		t.Helper()
		tx, err := contract.Transact(opts(value), method, args...)
		if err != nil {
			return err
		}
		if rc := c.receipt(t, tx.Hash()); rc.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("%s reverted on chain", method)
		}
		return nil
	}
	// exec has the contract call the registry; a rejection carries the registry's error.
	exec := func(t *testing.T, value *big.Int, method string, args ...any) error {
		t.Helper()
		data, err := registryABI.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return transact(t, value, "exec", data)
	}
	view := func(t *testing.T, method string) any {
		t.Helper()
		var out []any
		if err := contract.Call(c.callOpts(), &out, method); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		return out[0]
	}

	var nodes []common.Address
	for _, name := range []string{"refusing", "reentering"} {
		raw, pub, id := nodeKey(t, "contract-"+name)
		sig := signPop(t, raw, c.chainID, c.registry, addr)
		if err := exec(t, minStake, "register", pub, []string{"/ip4/127.0.0.1/tcp/4001"}, name, sig); err != nil {
			t.Fatalf("register through the contract: %v", err)
		}
		if op := c.node(t, id).Operator; op != addr {
			t.Fatalf("operator = %s, want the contract %s", op, addr)
		}
		if err := exec(t, nil, "requestExit", id); err != nil {
			t.Fatalf("request exit through the contract: %v", err)
		}
		nodes = append(nodes, id)
	}
	c.elapse(t, unbonding)

	t.Run("payout refused", func(t *testing.T) {
		id := nodes[0]
		if err := transact(t, nil, "setMode", big.NewInt(1), id); err != nil {
			t.Fatal(err)
		}
		before, held := c.node(t, id), c.balance(t, c.registry)
		err := exec(t, nil, "withdraw", id)
		if name := contractErrorName(revertData(err)); name != "TransferFailed" {
			t.Fatalf("withdraw = %v (%q), want TransferFailed", err, name)
		}
		expectNode(t, c.node(t, id), before)
		if got := c.balance(t, c.registry); got.Cmp(held) != 0 {
			t.Errorf("registry balance = %s, want %s", got, held)
		}
	})
	t.Run("reentered from the payout", func(t *testing.T) {
		id := nodes[1]
		if err := transact(t, nil, "setMode", big.NewInt(2), id); err != nil {
			t.Fatal(err)
		}
		before, held := c.balance(t, addr), c.balance(t, c.registry)
		if err := exec(t, nil, "withdraw", id); err != nil {
			t.Fatalf("withdraw: %v", err)
		}
		if view(t, "reentered").(bool) {
			t.Error("the re-entrant withdraw succeeded")
		}
		// Without the lock it would be NotExiting: the status is set before the payout.
		if name := contractErrorName(view(t, "reentryError").([]byte)); name != "Reentrancy" {
			t.Errorf("re-entrant withdraw failed with %q, want Reentrancy", name)
		}
		if got := new(big.Int).Sub(c.balance(t, addr), before); got.Cmp(minStake) != 0 {
			t.Errorf("contract received %s, want the stake %s once", got, minStake)
		}
		if got := new(big.Int).Sub(held, c.balance(t, c.registry)); got.Cmp(minStake) != 0 {
			t.Errorf("registry paid out %s, want %s", got, minStake)
		}
		if n := c.node(t, id); n.Status != chain.StatusWithdrawn || n.Stake.Sign() != 0 {
			t.Errorf("node = %s with stake %s, want withdrawn with 0", n.Status, n.Stake)
		}
	})
}

func TestContractSetRole(t *testing.T) {
	c := newContractEnv(t, 1)
	raw, _, id := nodeKey(t, "role")
	goneRaw, _, gone := nodeKey(t, "role-exited")
	_, _, unknown := nodeKey(t, "role-unknown")
	c.registerKey(t, 0, raw, []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	c.registerKey(t, 0, goneRaw, []string{"/ip4/127.0.0.1/tcp/4002"}, "", minStake)
	c.exit(t, 0, gone)

	for _, role := range []chain.Role{chain.RoleCoordinator, chain.RoleValidator} {
		t.Run("admin sets "+role.String(), func(t *testing.T) {
			before := c.node(t, id)
			r, err := c.adminTx.SetRole(c.ctx, id, role)
			if err != nil {
				t.Fatalf("set role: %v", err)
			}
			c.settle(t, r.Block)
			ev, err := c.reg.ParseRoleChanged(c.onlyLog(t, r))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Id != id || ev.Role != uint8(role) {
				t.Errorf("RoleChanged = %s %d, want %s %d", ev.Id, ev.Role, id, role)
			}
			want := before
			want.Role = role
			expectNode(t, c.node(t, id), want)
		})
	}

	for _, tc := range []rejection{
		{"by the operator", func() (chain.Receipt, error) { return c.ops[0].SetRole(c.ctx, id, chain.RoleCoordinator) }, "NotAdmin",
			map[string]string{"caller": c.operators[0].Address.String()}},
		{"of an unknown node", func() (chain.Receipt, error) { return c.adminTx.SetRole(c.ctx, unknown, chain.RoleCoordinator) }, "UnknownNode",
			map[string]string{"id": unknown.String()}},
		{"of an exited node", func() (chain.Receipt, error) { return c.adminTx.SetRole(c.ctx, gone, chain.RoleCoordinator) }, "NotActive",
			map[string]string{"id": gone.String()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.do()
			expectContractError(t, err, tc.want, tc.args)
			if r := c.node(t, id).Role; r != chain.RoleValidator {
				t.Errorf("role = %s, want validator", r)
			}
		})
	}
	t.Run("out of range", func(t *testing.T) {
		// The ABI decoder refuses an enum value the contract does not define.
		if _, err := c.adminTx.SetRole(c.ctx, id, chain.Role(2)); err == nil {
			t.Fatal("set role 2 succeeded")
		}
		if r := c.node(t, id).Role; r != chain.RoleValidator {
			t.Errorf("role = %s, want validator", r)
		}
	})
}

func TestContractTransferAdmin(t *testing.T) {
	c := newContractEnv(t, 2)
	raw, _, id := nodeKey(t, "admin")
	c.registerKey(t, 0, raw, []string{"/ip4/127.0.0.1/tcp/4001"}, "", minStake)
	oldAdmin, newAdmin := c.adminTx, c.ops[1]
	admin := func(t *testing.T) common.Address {
		t.Helper()
		p, err := chain.ReadParams(c.ctx, c.backend, c.registry)
		if err != nil {
			t.Fatal(err)
		}
		return p.Admin
	}
	refused := func(t *testing.T, tc rejection) {
		t.Helper()
		before := admin(t)
		_, err := tc.do()
		expectContractError(t, err, tc.want, tc.args)
		if got := admin(t); got != before {
			t.Errorf("admin = %s, want %s", got, before)
		}
	}

	t.Run("by a non-admin", func(t *testing.T) {
		refused(t, rejection{do: func() (chain.Receipt, error) { return newAdmin.TransferAdmin(c.ctx, newAdmin.Account()) },
			want: "NotAdmin", args: map[string]string{"caller": newAdmin.Account().String()}})
	})
	t.Run("to the zero address", func(t *testing.T) {
		refused(t, rejection{do: func() (chain.Receipt, error) { return oldAdmin.TransferAdmin(c.ctx, common.Address{}) }, want: "ZeroAddress"})
	})
	t.Run("transfer", func(t *testing.T) {
		r, err := oldAdmin.TransferAdmin(c.ctx, newAdmin.Account())
		if err != nil {
			t.Fatalf("transfer admin: %v", err)
		}
		c.settle(t, r.Block)
		ev, err := c.reg.ParseAdminChanged(c.onlyLog(t, r))
		if err != nil {
			t.Fatal(err)
		}
		if ev.PreviousAdmin != oldAdmin.Account() || ev.NewAdmin != newAdmin.Account() {
			t.Errorf("AdminChanged = %s -> %s, want %s -> %s", ev.PreviousAdmin, ev.NewAdmin, oldAdmin.Account(), newAdmin.Account())
		}
		if got := admin(t); got != newAdmin.Account() {
			t.Errorf("admin = %s, want %s", got, newAdmin.Account())
		}
	})
	t.Run("new admin sets a role", func(t *testing.T) {
		r, err := newAdmin.SetRole(c.ctx, id, chain.RoleCoordinator)
		if err != nil {
			t.Fatalf("set role: %v", err)
		}
		c.settle(t, r.Block)
		if r := c.node(t, id).Role; r != chain.RoleCoordinator {
			t.Errorf("role = %s, want coordinator", r)
		}
	})
	notAdmin := map[string]string{"caller": oldAdmin.Account().String()}
	t.Run("old admin sets a role", func(t *testing.T) {
		_, err := oldAdmin.SetRole(c.ctx, id, chain.RoleValidator)
		expectContractError(t, err, "NotAdmin", notAdmin)
		if r := c.node(t, id).Role; r != chain.RoleCoordinator {
			t.Errorf("role = %s, want coordinator", r)
		}
	})
	t.Run("old admin transfers back", func(t *testing.T) {
		refused(t, rejection{do: func() (chain.Receipt, error) { return oldAdmin.TransferAdmin(c.ctx, oldAdmin.Account()) }, want: "NotAdmin", args: notAdmin})
	})
	t.Run("new admin to the zero address", func(t *testing.T) {
		refused(t, rejection{do: func() (chain.Receipt, error) { return newAdmin.TransferAdmin(c.ctx, common.Address{}) }, want: "ZeroAddress"})
	})
}

func TestContractGetNodesPagination(t *testing.T) {
	c := newContractEnv(t, 1)
	const total = 12
	want := map[common.Address]chain.Node{}
	for i := range total {
		raw, _, _ := nodeKey(t, fmt.Sprintf("page-%d", i))
		id, _ := c.registerKey(t, 0, raw, []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 4000+i)}, fmt.Sprintf("n=%d", i), minStake)
		want[id] = c.node(t, id)
	}
	head, err := c.backend.HeaderByNumber(c.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := &bind.CallOpts{Context: c.ctx, BlockHash: head.Hash()}
	all, err := c.reg.GetNodes(at, big.NewInt(0), big.NewInt(chain.MaxPage))
	if err != nil {
		t.Fatalf("getNodes(0, %d): %v", chain.MaxPage, err)
	}
	if len(all) != total {
		t.Fatalf("getNodes(0, %d) returned %d nodes, want %d", chain.MaxPage, len(all), total)
	}
	for _, n := range all {
		if _, ok := want[n.Id]; !ok {
			t.Errorf("getNodes lists %s, which was not registered", n.Id)
		}
		delete(want, n.Id) // a duplicate then shows as unregistered
	}
	maxUint := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

	t.Run("pages", func(t *testing.T) {
		for _, tc := range []struct {
			offset *big.Int
			limit  int64
			want   int // nodes, from all[offset:]
		}{
			{big.NewInt(0), 5, 5},
			{big.NewInt(5), 5, 5},
			{big.NewInt(10), 5, 2},
			{big.NewInt(12), 5, 0},
			{big.NewInt(1000), 5, 0},
			{maxUint, 5, 0},
			{big.NewInt(3), 0, 0},
			{big.NewInt(11), chain.MaxPage, 1},
		} {
			page, err := c.reg.GetNodes(at, tc.offset, big.NewInt(tc.limit))
			if err != nil {
				t.Errorf("getNodes(%s, %d): %v", tc.offset, tc.limit, err)
				continue
			}
			if len(page) != tc.want {
				t.Errorf("getNodes(%s, %d) returned %d nodes, want %d", tc.offset, tc.limit, len(page), tc.want)
				continue
			}
			for i, n := range page {
				if off := int(tc.offset.Int64()) + i; n.Id != all[off].Id {
					t.Errorf("getNodes(%s, %d)[%d] = %s, want %s", tc.offset, tc.limit, i, n.Id, all[off].Id)
				}
			}
		}
	})
	t.Run("page too large", func(t *testing.T) {
		for _, limit := range []*big.Int{big.NewInt(chain.MaxPage + 1), maxUint} {
			_, err := c.reg.GetNodes(at, big.NewInt(0), limit)
			if name := contractErrorName(revertData(err)); name != "PageTooLarge" {
				t.Errorf("getNodes(0, %s) = %v (%q), want PageTooLarge", limit, err, name)
			}
		}
	})
	t.Run("registry view with pages of 5", func(t *testing.T) {
		r, err := chain.NewRegistry(c.backend, c.registry, chain.WithPageSize(5),
			chain.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(c.ctx)
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		}()
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		defer wcancel()
		if err := r.WaitSynced(wctx); err != nil {
			t.Fatal(err)
		}
		active := r.Active()
		if len(active) != total {
			t.Fatalf("view has %d nodes, want %d", len(active), total)
		}
		for _, n := range active {
			expectNode(t, n, c.node(t, n.ID))
		}
	})
}

func TestContractDeploy(t *testing.T) {
	c := newContractEnv(t, 1)
	deployer := c.admin
	nonce := func(t *testing.T) uint64 {
		t.Helper()
		n, err := c.backend.PendingNonceAt(c.ctx, deployer.Address)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("refused before sending", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			p    chain.DeployParams
		}{
			{"no minimum stake", chain.DeployParams{UnbondingPeriod: time.Hour}},
			{"zero minimum stake", chain.DeployParams{MinStake: big.NewInt(0), UnbondingPeriod: time.Hour}},
			{"negative minimum stake", chain.DeployParams{MinStake: big.NewInt(-1), UnbondingPeriod: time.Hour}},
			{"negative unbonding period", chain.DeployParams{MinStake: minStake, UnbondingPeriod: -time.Second}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := nonce(t)
				if _, _, err := chain.Deploy(c.ctx, c.backend, deployer, tc.p, chain.WithReceiptPoll(5*time.Millisecond)); err == nil {
					t.Fatal("deploy succeeded")
				}
				if after := nonce(t); after != before {
					t.Errorf("nonce %d -> %d: a transaction was sent", before, after)
				}
			})
		}
	})
	t.Run("refused by the constructor", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			admin    common.Address
			minStake *big.Int
			want     string
			acc      func(*regabi.NodeRegistryAccountability)
		}{
			{"zero admin", common.Address{}, minStake, "ZeroAddress", nil},
			{"zero minimum stake", deployer.Address, big.NewInt(0), "ZeroAmount", nil},
			{"zero report window", deployer.Address, minStake, "BadParameter", func(a *regabi.NodeRegistryAccountability) { a.ReportWindow = 0 }},
			{"zero offline threshold", deployer.Address, minStake, "BadParameter", func(a *regabi.NodeRegistryAccountability) { a.OfflineThreshold = 0 }},
			{"threshold above the window", deployer.Address, minStake, "BadParameter", func(a *regabi.NodeRegistryAccountability) { a.OfflineThreshold = a.ReportWindow + 1 }},
			{"zero report deadline", deployer.Address, minStake, "BadParameter", func(a *regabi.NodeRegistryAccountability) { a.ReportDeadline = 0 }},
			{"slash above 100 %", deployer.Address, minStake, "BadParameter", func(a *regabi.NodeRegistryAccountability) { a.SlashBps = 10001 }},
			{"zero committee", deployer.Address, minStake, "BadParameter", func(a *regabi.NodeRegistryAccountability) { a.CommitteeSize = 0 }},
			{"slash with no sink", deployer.Address, minStake, "BadParameter", func(a *regabi.NodeRegistryAccountability) { a.SlashSink = common.Address{} }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := bind.NewKeyedTransactor(key(t, "admin"), c.chainID)
				o.Context = c.ctx
				acc := testAccountability(deployer.Address)
				if tc.acc != nil {
					tc.acc(&acc)
				}
				_, _, _, err := regabi.DeployNodeRegistry(o, c.backend, tc.admin, tc.minStake, 60, acc)
				if name := contractErrorName(revertData(err)); name != tc.want {
					t.Fatalf("deploy = %v (%q), want %s", err, name, tc.want)
				}
			})
		}
	})
	t.Run("params", func(t *testing.T) {
		other := c.operators[0].Address
		defaults := func(sink common.Address) chain.Accountability {
			a := chain.DefaultAccountability
			a.SlashSink = sink
			return a
		}
		explicit := chain.Accountability{
			ReportWindow: 30 * time.Second, OfflineThreshold: 12 * time.Second, ReportDeadline: 5 * time.Minute,
			JailPeriod: 40 * time.Second, SlashBps: 2500, CommitteeSize: 7, SlashSink: common.HexToAddress("0x5111c0000000000000000000000000000000da7a"),
		}
		for _, tc := range []struct {
			name string
			p    chain.DeployParams
			want chain.Params
		}{
			{"admin defaults to the deployer", chain.DeployParams{MinStake: ether(5), UnbondingPeriod: 90 * time.Second},
				chain.Params{Admin: deployer.Address, MinStake: ether(5), UnbondingPeriod: 90 * time.Second, Accountability: defaults(deployer.Address)}},
			{"explicit admin", chain.DeployParams{Admin: other, MinStake: big.NewInt(1), UnbondingPeriod: 14 * 24 * time.Hour},
				chain.Params{Admin: other, MinStake: big.NewInt(1), UnbondingPeriod: 14 * 24 * time.Hour, Accountability: defaults(other)}},
			{"no unbonding", chain.DeployParams{MinStake: minStake},
				chain.Params{Admin: deployer.Address, MinStake: minStake, Accountability: defaults(deployer.Address)}},
			{"explicit accountability", chain.DeployParams{MinStake: minStake, Accountability: explicit},
				chain.Params{Admin: deployer.Address, MinStake: minStake, Accountability: explicit}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				addr, r, err := chain.Deploy(c.ctx, c.backend, deployer, tc.p, chain.WithReceiptPoll(5*time.Millisecond))
				if err != nil {
					t.Fatalf("deploy: %v", err)
				}
				c.settle(t, r.Block)
				p, err := chain.ReadParams(c.ctx, c.backend, addr)
				if err != nil {
					t.Fatalf("read params: %v", err)
				}
				if p.Admin != tc.want.Admin || p.MinStake.Cmp(tc.want.MinStake) != 0 || p.UnbondingPeriod != tc.want.UnbondingPeriod ||
					p.Accountability != tc.want.Accountability {
					t.Errorf("params = %+v, want %+v", p, tc.want)
				}
				rc := c.receipt(t, r.TxHash)
				if rc.ContractAddress != addr || len(rc.Logs) != 1 {
					t.Fatalf("deployment made %s with %d logs, want %s with 1", rc.ContractAddress, len(rc.Logs), addr)
				}
				ev, err := c.reg.ParseAdminChanged(*rc.Logs[0])
				if err != nil {
					t.Fatal(err)
				}
				if ev.PreviousAdmin != (common.Address{}) || ev.NewAdmin != tc.want.Admin {
					t.Errorf("AdminChanged = %s -> %s, want 0x0 -> %s", ev.PreviousAdmin, ev.NewAdmin, tc.want.Admin)
				}
			})
		}
	})
	t.Run("env registry", func(t *testing.T) {
		p, err := chain.ReadParams(c.ctx, c.backend, c.registry)
		if err != nil {
			t.Fatal(err)
		}
		if p.Admin != deployer.Address || p.MinStake.Cmp(minStake) != 0 || p.UnbondingPeriod != unbonding {
			t.Errorf("params = %+v, want admin %s, min stake %s, unbonding %s", p, deployer.Address, minStake, unbonding)
		}
	})
	t.Run("no registry at the address", func(t *testing.T) {
		nowhere := common.HexToAddress("0x00000000000000000000000000000000000000bb")
		if _, err := chain.ReadParams(c.ctx, c.backend, nowhere); !errors.Is(err, chain.ErrNoRegistry) {
			t.Errorf("ReadParams = %v, want ErrNoRegistry", err)
		}
		if _, err := chain.ReadNode(c.ctx, c.backend, nowhere, deployer.Address); !errors.Is(err, chain.ErrNoRegistry) {
			t.Errorf("ReadNode = %v, want ErrNoRegistry", err)
		}
	})
}

// TestContractPopDigest checks the Go side of the proof of possession and the
// bounds against the deployed contract.
func TestContractPopDigest(t *testing.T) {
	c := newContractEnv(t, 2)
	if id := c.ops[0].ChainID(); id.Cmp(c.chainID) != 0 {
		t.Fatalf("transactor chain ID = %s, want %s", id, c.chainID)
	}
	t.Run("domain", func(t *testing.T) {
		d, err := c.reg.POPDOMAIN(c.callOpts())
		if err != nil {
			t.Fatal(err)
		}
		if common.Hash(d) != chain.PopDomain {
			t.Errorf("POP_DOMAIN = %x, Go has %x", d, chain.PopDomain)
		}
	})
	t.Run("digest", func(t *testing.T) {
		for _, op := range []common.Address{c.operators[0].Address, c.operators[1].Address, c.admin.Address, {}, common.MaxAddress} {
			got, err := c.reg.PopDigest(c.callOpts(), op)
			if err != nil {
				t.Fatal(err)
			}
			if want := chain.PopDigest(c.chainID, c.registry, op); common.Hash(got) != want {
				t.Errorf("popDigest(%s) = %x, Go has %x", op, got, want)
			}
		}
	})
	t.Run("signature recovers the node key", func(t *testing.T) {
		raw, pub, _ := nodeKey(t, "pop")
		op := c.operators[0].Address
		sig := signPop(t, raw, c.chainID, c.registry, op)
		if len(sig) != 65 || (sig[64] != 27 && sig[64] != 28) {
			t.Fatalf("signature is %d bytes with v %d, want 65 with v 27 or 28", len(sig), sig[len(sig)-1])
		}
		d := chain.PopDigest(c.chainID, c.registry, op)
		rec, err := crypto.Ecrecover(d[:], append(sig[:64:64], sig[64]-27))
		if err != nil || !bytes.Equal(rec[1:], pub) {
			t.Errorf("recovered %x (err %v), want %x", rec, err, pub)
		}
	})
	t.Run("bounds", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			get  func(*bind.CallOpts) (*big.Int, error)
			want int
		}{
			{"PUBKEY_LENGTH", c.reg.PUBKEYLENGTH, chain.PubKeyLength},
			{"MAX_MULTIADDRS", c.reg.MAXMULTIADDRS, chain.MaxMultiaddrs},
			{"MAX_MULTIADDR_LENGTH", c.reg.MAXMULTIADDRLENGTH, chain.MaxMultiaddrLen},
			{"MAX_METADATA_LENGTH", c.reg.MAXMETADATALENGTH, chain.MaxMetadataLength},
			{"MAX_PAGE", c.reg.MAXPAGE, chain.MaxPage},
		} {
			got, err := tc.get(c.callOpts())
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got.Cmp(big.NewInt(int64(tc.want))) != 0 {
				t.Errorf("%s = %s, Go has %d", tc.name, got, tc.want)
			}
		}
	})
}
