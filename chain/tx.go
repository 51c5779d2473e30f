package chain

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	regabi "validator/abi"
)

// Signer is an account that signs transactions: an operator's staking account or
// the registry admin.
type Signer struct {
	key     *ecdsa.PrivateKey
	Address common.Address
}

// NewKeySigner signs with a raw private key.
func NewKeySigner(key *ecdsa.PrivateKey) *Signer {
	return &Signer{key: key, Address: crypto.PubkeyToAddress(key.PublicKey)}
}

// LoadKeystore decrypts a go-ethereum V3 keystore file.
func LoadKeystore(path, passphrase string) (*Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read keystore: %w", err)
	}
	k, err := keystore.DecryptKey(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("decrypt keystore %s: %w (wrong passphrase?)", path, err)
	}
	return NewKeySigner(k.PrivateKey), nil
}

// Receipt is the outcome of a mined transaction.
type Receipt struct {
	TxHash  common.Hash
	Block   uint64
	GasUsed uint64
}

// RevertError is a NodeRegistry custom error, decoded from revert data.
type RevertError struct {
	// Name is the Solidity error name, e.g. "StakeTooLow".
	Name string
	Args map[string]any
	// Inputs keeps the argument order for printing.
	Inputs []string
}

func (e *RevertError) Error() string {
	parts := make([]string, 0, len(e.Inputs))
	for _, in := range e.Inputs {
		parts = append(parts, in+"="+formatRevertArg(e.Name, in, e.Args[in]))
	}
	msg := fmt.Sprintf("registry rejected the transaction: %s(%s)", e.Name, strings.Join(parts, ", "))
	if h := revertHint(e); h != "" {
		msg += ": " + h
	}
	return msg
}

// revertArgKind says how an argument of a registry error is printed when it
// is not a plain number or address: amounts of wei in ETH, Unix times as
// dates.
var revertArgKind = map[string]string{
	"StakeTooLow.sent":           "wei",
	"StakeTooLow.minimum":        "wei",
	"StillBonded.withdrawableAt": "time",
}

func formatRevertArg(errName, arg string, v any) string {
	switch revertArgKind[errName+"."+arg] {
	case "wei":
		if b, ok := v.(*big.Int); ok {
			return FormatEther(b) + " ETH"
		}
	case "time":
		if t, ok := revertTime(v); ok {
			return t.Format(time.RFC3339)
		}
	}
	return fmt.Sprint(v)
}

// revertTime reads a uint64 Unix time argument as a UTC time.
func revertTime(v any) (time.Time, bool) {
	u, ok := v.(uint64)
	if !ok || u > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(int64(u), 0).UTC(), true
}

// revertHint says what to do about the registry errors an operator meets.
func revertHint(e *RevertError) string {
	switch e.Name {
	case "StakeTooLow":
		if m, ok := e.Args["minimum"].(*big.Int); ok {
			return "stake at least " + FormatEther(m) + " ETH"
		}
	case "StillBonded":
		if t, ok := revertTime(e.Args["withdrawableAt"]); ok {
			return fmt.Sprintf("the stake is still unbonding; withdraw again at or after %s (in %s)", t.Format(time.RFC3339), max(time.Until(t), 0).Round(time.Second))
		}
	case "KeyAlreadyRegistered":
		return "a node key registers once: create a new key with `validator init` and register that"
	case "NotOperator":
		return "send it from the operator account that registered the node (keys.operator_keystore)"
	case "NotExiting":
		return "only an exiting node can withdraw: run `validator exit` first, or the stake was already withdrawn"
	case "NotActive":
		return "the node is not in the active set (it exited)"
	case "UnknownNode":
		return "no node with this ID was ever registered: check --node or keys.node_key"
	}
	return ""
}

// FormatEther prints an amount of wei in ETH without trailing zeros ("32",
// "0.5", "1.000000000000000001").
func FormatEther(wei *big.Int) string {
	if wei == nil {
		return "0"
	}
	sign := ""
	if wei.Sign() < 0 {
		sign, wei = "-", new(big.Int).Neg(wei)
	}
	q, r := new(big.Int).QuoRem(wei, big.NewInt(1e18), new(big.Int))
	if r.Sign() == 0 {
		return sign + q.String()
	}
	return sign + q.String() + "." + strings.TrimRight(fmt.Sprintf("%018s", r.String()), "0")
}

// IsRevert reports whether err is the registry's custom error name.
func IsRevert(err error, name string) bool {
	var re *RevertError
	return errors.As(err, &re) && re.Name == name
}

var registryABI = func() *abi.ABI {
	a, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		panic(err)
	}
	return a
}()

// decodeRevert turns an RPC error carrying revert data into a *RevertError.
func decodeRevert(err error) error {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return err
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		return err
	}
	data, derr := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if derr != nil || len(data) < 4 {
		return err
	}
	for name, e := range registryABI.Errors {
		if string(e.ID[:4]) != string(data[:4]) {
			continue
		}
		args := map[string]any{}
		if uerr := e.Inputs.UnpackIntoMap(args, data[4:]); uerr != nil {
			return err
		}
		inputs := make([]string, len(e.Inputs))
		for i, in := range e.Inputs {
			inputs[i] = in.Name
		}
		return &RevertError{Name: name, Args: args, Inputs: inputs}
	}
	return err
}

// TxOption configures a Transactor.
type TxOption func(*txConfig)

type txConfig struct {
	poll   time.Duration
	gasCap uint64
}

// WithGasCap refuses, with ErrGasCap and before sending, a transaction whose
// gas estimate is above gas; a transaction the node cannot estimate is sent
// with gas as its limit.
func WithGasCap(gas uint64) TxOption { return func(c *txConfig) { c.gasCap = gas } }

// ErrGasCap: the transaction would need more gas than the Transactor's cap
// (WithGasCap); it was not sent.
var ErrGasCap = errors.New("gas estimate above the gas cap")

// WithReceiptPoll sets how often a transaction's receipt is polled.
func WithReceiptPoll(d time.Duration) TxOption { return func(c *txConfig) { c.poll = d } }

// Transactor sends the registry's transactions from one account and waits for
// them to be mined. Transactions from one Transactor are sent one at a time.
type Transactor struct {
	backend  Backend
	registry common.Address
	contract *regabi.NodeRegistry
	signer   *Signer
	chainID  *big.Int
	cfg      txConfig
	mu       sync.Mutex
}

// NewTransactor binds signer to the registry at registry.
func NewTransactor(ctx context.Context, backend Backend, registry common.Address, signer *Signer, opts ...TxOption) (*Transactor, error) {
	cfg := txConfig{poll: 100 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	id, err := backend.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("chain ID: %w", err)
	}
	c, err := regabi.NewNodeRegistry(registry, backend)
	if err != nil {
		return nil, fmt.Errorf("bind registry %s: %w", registry, err)
	}
	return &Transactor{backend: backend, registry: registry, contract: c, signer: signer, chainID: id, cfg: cfg}, nil
}

// Account is the address transactions are sent from.
func (t *Transactor) Account() common.Address { return t.signer.Address }

// Registry is the registry contract address.
func (t *Transactor) Registry() common.Address { return t.registry }

// ChainID is the chain the transactor signs for.
func (t *Transactor) ChainID() *big.Int { return new(big.Int).Set(t.chainID) }

func (t *Transactor) opts(ctx context.Context, value *big.Int) *bind.TransactOpts {
	o := bind.NewKeyedTransactor(t.signer.key, t.chainID)
	o.Context = ctx
	o.Value = value
	return o
}

// send builds, signs and sends one transaction and waits for its receipt.
func (t *Transactor) send(ctx context.Context, action string, value *big.Int, f func(*bind.TransactOpts) (*types.Transaction, error)) (Receipt, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o := t.opts(ctx, value)
	gas, err := t.estimatePending(ctx, action, value, f)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: %w", action, err)
	}
	if c := t.cfg.gasCap; c > 0 {
		if gas > c {
			return Receipt{}, fmt.Errorf("%s: %w: needs %d gas, the cap is %d", action, ErrGasCap, gas, c)
		}
		if gas == 0 {
			gas = c
		}
	}
	o.GasLimit = gas
	tx, err := f(o)
	if err != nil {
		if isInsufficientFunds(err) {
			err = insufficientFunds(ctx, t.backend, t.signer.Address, action, value, nil, gas)
		}
		return Receipt{}, fmt.Errorf("%s: %w", action, decodeRevert(err))
	}
	r, err := waitMined(ctx, t.backend, tx.Hash(), t.cfg.poll)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: wait for %s: %w", action, tx.Hash(), err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return Receipt{}, fmt.Errorf("%s: transaction %s reverted in block %d: %w", action, tx.Hash(), r.BlockNumber, t.revertReason(ctx, tx, r))
	}
	return Receipt{TxHash: tx.Hash(), Block: r.BlockNumber.Uint64(), GasUsed: r.GasUsed}, nil
}

// pendingEstimator estimates gas against a block of the caller's choice
// (*ethclient.Client does).
type pendingEstimator interface {
	EstimateGasAtBlock(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) (uint64, error)
}

// estimatePending estimates the transaction's gas against the pending block,
// whose timestamp is the time the next block would have, not against the
// head. On a chain that mines only when a transaction arrives (the embedded
// devnet, geth --dev without --dev.period) the head can be hours old: a
// withdrawal whose unbonding ended after the head was mined would be refused
// StillBonded at estimation, though the block that includes it is late
// enough. 0 (no error) leaves the estimate to bind, against the head: the
// backend cannot estimate by block, or the endpoint does not serve the
// pending block.
func (t *Transactor) estimatePending(ctx context.Context, action string, value *big.Int, f func(*bind.TransactOpts) (*types.Transaction, error)) (uint64, error) {
	est, ok := t.backend.(pendingEstimator)
	if !ok {
		return 0, nil
	}
	// Build the transaction without sending it, for its call data and fees
	// (a non-zero gas limit keeps bind from estimating).
	probe := t.opts(ctx, value)
	probe.NoSend, probe.GasLimit = true, 1
	tx, err := f(probe)
	if err != nil {
		return 0, decodeRevert(err)
	}
	msg := ethereum.CallMsg{From: t.signer.Address, To: tx.To(), Value: tx.Value(), Data: tx.Data(), GasFeeCap: tx.GasFeeCap(), GasTipCap: tx.GasTipCap()}
	gas, err := est.EstimateGasAtBlock(ctx, msg, big.NewInt(int64(rpc.PendingBlockNumber)))
	switch {
	case err == nil:
		return gas, nil
	case isInsufficientFunds(err):
		return 0, insufficientFunds(ctx, t.backend, t.signer.Address, action, msg.Value, tx.GasFeeCap(), 0)
	}
	if re := decodeRevert(err); re != err {
		return 0, re
	}
	return 0, nil
}

// ErrInsufficientFunds: the sending account cannot pay for the transaction.
var ErrInsufficientFunds = errors.New("insufficient funds")

// gasAllowance bounds the gas of one registry transaction when the node could
// not estimate it (register with the most multiaddrs uses less).
const gasAllowance = 1_000_000

func isInsufficientFunds(err error) bool {
	return err != nil && strings.Contains(err.Error(), "insufficient funds")
}

// insufficientFunds says which account lacks how much: its balance and what
// the transaction needs (value plus gas at feeCap, the most it would pay).
func insufficientFunds(ctx context.Context, b Backend, from common.Address, action string, value, feeCap *big.Int, gas uint64) error {
	if gas == 0 {
		gas = gasAllowance
	}
	if feeCap == nil {
		p, err := b.SuggestGasPrice(ctx)
		if err != nil {
			p = new(big.Int)
		}
		feeCap = p
	}
	if value == nil {
		value = new(big.Int)
	}
	fee := new(big.Int).Mul(feeCap, new(big.Int).SetUint64(gas))
	need := new(big.Int).Add(value, fee)
	have := "an unknown amount of"
	if bal, err := b.BalanceAt(ctx, from, nil); err == nil {
		have = FormatEther(bal) + " ETH"
	}
	what := "up to " + FormatEther(fee) + " ETH of gas"
	if value.Sign() > 0 {
		what = FormatEther(value) + " ETH sent + " + what
	}
	return fmt.Errorf("%w: account %s has %s; %s needs %s ETH (%s): send ETH to %s and try again", ErrInsufficientFunds, from, have, action, FormatEther(need), what, from)
}

// revertReason replays a reverted transaction at its block's parent to recover
// the custom error.
func (t *Transactor) revertReason(ctx context.Context, tx *types.Transaction, r *types.Receipt) error {
	msg := ethereum.CallMsg{From: t.signer.Address, To: tx.To(), Value: tx.Value(), Data: tx.Data(), Gas: tx.Gas()}
	parent := new(big.Int).Sub(r.BlockNumber, big.NewInt(1))
	if _, err := t.backend.CallContract(ctx, msg, parent); err != nil {
		return decodeRevert(err)
	}
	return errors.New("reverted (reason unknown)")
}

func waitMined(ctx context.Context, b Backend, hash common.Hash, poll time.Duration) (*types.Receipt, error) {
	t := time.NewTicker(poll)
	defer t.Stop()
	var last error
	for {
		r, err := b.TransactionReceipt(ctx, hash)
		if err == nil {
			// geth can show a receipt a moment before its block is the head; a
			// read right after we return must see the transaction.
			if h, herr := b.HeaderByNumber(ctx, nil); herr == nil && h.Number.Cmp(r.BlockNumber) >= 0 {
				return r, nil
			}
		}
		// Not mined yet, the node still indexing, or the endpoint briefly away:
		// all are worth another look until ctx ends.
		if err != nil && !errors.Is(err, ethereum.NotFound) {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return nil, fmt.Errorf("%w (last error: %v)", ctx.Err(), last)
			}
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// Transfer sends amount wei from signer to to and waits for it to be mined
// (the devnet faucet).
func Transfer(ctx context.Context, backend Backend, signer *Signer, to common.Address, amount *big.Int, opts ...TxOption) (Receipt, error) {
	cfg := txConfig{poll: 100 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	action := fmt.Sprintf("send %s ETH to %s", FormatEther(amount), to)
	id, err := backend.ChainID(ctx)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: chain ID: %w", action, err)
	}
	nonce, err := backend.PendingNonceAt(ctx, signer.Address)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: nonce: %w", action, err)
	}
	tip, err := backend.SuggestGasTipCap(ctx)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: gas tip: %w", action, err)
	}
	head, err := backend.HeaderByNumber(ctx, nil)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: head: %w", action, err)
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	const gas = 21_000
	tx, err := types.SignNewTx(signer.key, types.LatestSignerForChainID(id), &types.DynamicFeeTx{
		ChainID: id, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &to, Value: amount,
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: sign: %w", action, err)
	}
	if err := backend.SendTransaction(ctx, tx); err != nil {
		if isInsufficientFunds(err) {
			err = insufficientFunds(ctx, backend, signer.Address, action, amount, feeCap, gas)
		}
		return Receipt{}, fmt.Errorf("%s: %w", action, err)
	}
	r, err := waitMined(ctx, backend, tx.Hash(), cfg.poll)
	if err != nil {
		return Receipt{}, fmt.Errorf("%s: wait for %s: %w", action, tx.Hash(), err)
	}
	return Receipt{TxHash: tx.Hash(), Block: r.BlockNumber.Uint64(), GasUsed: r.GasUsed}, nil
}

// DeployParams are the registry's constructor arguments.
type DeployParams struct {
	// Admin sets node roles; defaults to the deployer.
	Admin           common.Address
	MinStake        *big.Int
	UnbondingPeriod time.Duration
	// Accountability are the offline-report parameters; zero fields take
	// DefaultAccountability's, and a zero SlashSink is the admin.
	Accountability Accountability
}

// Accountability are a registry's offline-report parameters, fixed at deploy
// (NodeRegistry.sol, "Accountability").
type Accountability struct {
	// ReportWindow is the length of a report window.
	ReportWindow time.Duration
	// OfflineThreshold is how long an observer must have seen a node offline in
	// one window to attest it.
	OfflineThreshold time.Duration
	// ReportDeadline is how long after a window's end it may still be reported.
	ReportDeadline time.Duration
	// JailPeriod is how long a jailed node stays out before its operator may unjail it.
	JailPeriod time.Duration
	// SlashBps is the share of the stake slashed per accepted report, in basis points.
	SlashBps uint16
	// CommitteeSize is the number of observers whose attestations count per
	// node and window (all of them while there are no more).
	CommitteeSize uint32
	// SlashSink receives slashed stake.
	SlashSink common.Address
}

// DefaultAccountability are the parameters a deploy takes where it sets none:
// one-hour windows, jailed for 10 minutes offline in one, reportable for a day,
// jailed for a day, 1 % slashed, committees of 128.
var DefaultAccountability = Accountability{
	ReportWindow:     time.Hour,
	OfflineThreshold: 10 * time.Minute,
	ReportDeadline:   24 * time.Hour,
	JailPeriod:       24 * time.Hour,
	SlashBps:         100,
	CommitteeSize:    128,
}

// withDefaults fills zero fields from DefaultAccountability and the sink from admin.
func (a Accountability) withDefaults(admin common.Address) Accountability {
	a = a.WithDefaults(DefaultAccountability)
	if a.SlashSink == (common.Address{}) {
		a.SlashSink = admin
	}
	return a
}

func (a Accountability) binding() regabi.NodeRegistryAccountability {
	return regabi.NodeRegistryAccountability{
		ReportWindow:     uint64(a.ReportWindow / time.Second),
		OfflineThreshold: uint64(a.OfflineThreshold / time.Second),
		ReportDeadline:   uint64(a.ReportDeadline / time.Second),
		JailPeriod:       uint64(a.JailPeriod / time.Second),
		SlashBps:         a.SlashBps,
		CommitteeSize:    a.CommitteeSize,
		SlashSink:        a.SlashSink,
	}
}

// Deploy deploys a NodeRegistry from signer and waits for it to be mined.
func Deploy(ctx context.Context, backend Backend, signer *Signer, p DeployParams, opts ...TxOption) (common.Address, Receipt, error) {
	if p.Admin == (common.Address{}) {
		p.Admin = signer.Address
	}
	if p.MinStake == nil || p.MinStake.Sign() <= 0 {
		return common.Address{}, Receipt{}, errors.New("deploy registry: minimum stake must be > 0")
	}
	if p.UnbondingPeriod < 0 {
		return common.Address{}, Receipt{}, errors.New("deploy registry: unbonding period must be >= 0")
	}
	cfg := txConfig{poll: 100 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	id, err := backend.ChainID(ctx)
	if err != nil {
		return common.Address{}, Receipt{}, fmt.Errorf("deploy registry: chain ID: %w", err)
	}
	o := bind.NewKeyedTransactor(signer.key, id)
	o.Context = ctx
	acc := p.Accountability.withDefaults(p.Admin)
	addr, tx, _, err := regabi.DeployNodeRegistry(o, backend, p.Admin, p.MinStake, uint64(p.UnbondingPeriod/time.Second), acc.binding())
	if isInsufficientFunds(err) {
		err = insufficientFunds(ctx, backend, signer.Address, "deploy", nil, nil, 0)
	}
	if err != nil {
		return common.Address{}, Receipt{}, fmt.Errorf("deploy registry: %w", decodeRevert(err))
	}
	r, err := waitMined(ctx, backend, tx.Hash(), cfg.poll)
	if err != nil {
		return common.Address{}, Receipt{}, fmt.Errorf("deploy registry: wait for %s: %w", tx.Hash(), err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return common.Address{}, Receipt{}, fmt.Errorf("deploy registry: transaction %s reverted", tx.Hash())
	}
	return addr, Receipt{TxHash: tx.Hash(), Block: r.BlockNumber.Uint64(), GasUsed: r.GasUsed}, nil
}

// Register registers the node key with the transactor's account as operator,
// staking stake. It builds the proof of possession from nodeKey.
func (t *Transactor) Register(ctx context.Context, nodeKey *ecdsa.PrivateKey, multiaddrs []string, metadata string, stake *big.Int) (common.Address, Receipt, error) {
	sig, err := SignPop(nodeKey, t.chainID, t.registry, t.signer.Address)
	if err != nil {
		return common.Address{}, Receipt{}, err
	}
	pub := PubKeyBytes(&nodeKey.PublicKey)
	r, err := t.RegisterWithProof(ctx, pub, multiaddrs, metadata, sig, stake)
	return NodeID(pub), r, err
}

// RegisterWithProof registers a node from its public key and a proof of
// possession made elsewhere (the node key need not be on this machine).
func (t *Transactor) RegisterWithProof(ctx context.Context, pubKey []byte, multiaddrs []string, metadata string, pop []byte, stake *big.Int) (Receipt, error) {
	return t.send(ctx, "register", stake, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.Register(o, pubKey, multiaddrs, metadata, pop)
	})
}

// UpdateAddrs replaces a node's published multiaddrs.
func (t *Transactor) UpdateAddrs(ctx context.Context, id common.Address, multiaddrs []string) (Receipt, error) {
	return t.send(ctx, "update addresses", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.UpdateAddrs(o, id, multiaddrs)
	})
}

// UpdateMetadata replaces a node's metadata.
func (t *Transactor) UpdateMetadata(ctx context.Context, id common.Address, metadata string) (Receipt, error) {
	return t.send(ctx, "update metadata", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.UpdateMetadata(o, id, metadata)
	})
}

// AddStake adds amount to a node's stake.
func (t *Transactor) AddStake(ctx context.Context, id common.Address, amount *big.Int) (Receipt, error) {
	return t.send(ctx, "add stake", amount, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.AddStake(o, id)
	})
}

// RequestExit takes a node out of the active set at once and starts unbonding.
func (t *Transactor) RequestExit(ctx context.Context, id common.Address) (Receipt, error) {
	return t.send(ctx, "request exit", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.RequestExit(o, id)
	})
}

// Withdraw returns an exited node's stake to its operator after unbonding.
func (t *Transactor) Withdraw(ctx context.Context, id common.Address) (Receipt, error) {
	return t.send(ctx, "withdraw", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.Withdraw(o, id)
	})
}

// SetRole sets a node's role; only the registry admin may.
func (t *Transactor) SetRole(ctx context.Context, id common.Address, role Role) (Receipt, error) {
	return t.send(ctx, "set role", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.SetRole(o, id, uint8(role))
	})
}

// TransferAdmin hands the admin role to another account.
func (t *Transactor) TransferAdmin(ctx context.Context, admin common.Address) (Receipt, error) {
	return t.send(ctx, "transfer admin", nil, func(o *bind.TransactOpts) (*types.Transaction, error) {
		return t.contract.TransferAdmin(o, admin)
	})
}

// Params are the registry's fixed parameters.
type Params struct {
	Admin           common.Address
	MinStake        *big.Int
	UnbondingPeriod time.Duration
	Accountability  Accountability
}

// ReadParams reads the registry's parameters at the latest block.
func ReadParams(ctx context.Context, backend Backend, registry common.Address) (Params, error) {
	c, err := regabi.NewNodeRegistry(registry, backend)
	if err != nil {
		return Params{}, err
	}
	o := &bind.CallOpts{Context: ctx}
	var p Params
	if p.Admin, err = c.Admin(o); err != nil {
		if errors.Is(err, bind.ErrNoCode) {
			return Params{}, fmt.Errorf("%w %s", ErrNoRegistry, registry)
		}
		return Params{}, fmt.Errorf("read admin: %w", err)
	}
	if p.MinStake, err = c.MinStake(o); err != nil {
		return Params{}, fmt.Errorf("read minStake: %w", err)
	}
	u, err := c.UnbondingPeriod(o)
	if err != nil {
		return Params{}, fmt.Errorf("read unbondingPeriod: %w", err)
	}
	p.UnbondingPeriod = chainSeconds(u)
	if p.Accountability, err = readAccountability(c, o); err != nil {
		return Params{}, err
	}
	return p, nil
}

// chainSeconds is a contract duration (seconds), clamped so a hostile value
// cannot overflow.
func chainSeconds(s uint64) time.Duration {
	return time.Duration(min(s, uint64(1<<62)/uint64(time.Second))) * time.Second
}

func readAccountability(c *regabi.NodeRegistry, o *bind.CallOpts) (Accountability, error) {
	var a Accountability
	for _, f := range []struct {
		name string
		read func(*bind.CallOpts) (uint64, error)
		to   *time.Duration
	}{
		{"reportWindow", c.ReportWindow, &a.ReportWindow},
		{"offlineThreshold", c.OfflineThreshold, &a.OfflineThreshold},
		{"reportDeadline", c.ReportDeadline, &a.ReportDeadline},
		{"jailPeriod", c.JailPeriod, &a.JailPeriod},
	} {
		v, err := f.read(o)
		if err != nil {
			return Accountability{}, fmt.Errorf("read %s: %w", f.name, err)
		}
		*f.to = chainSeconds(v)
	}
	var err error
	if a.SlashBps, err = c.SlashBps(o); err != nil {
		return Accountability{}, fmt.Errorf("read slashBps: %w", err)
	}
	if a.CommitteeSize, err = c.CommitteeSize(o); err != nil {
		return Accountability{}, fmt.Errorf("read committeeSize: %w", err)
	}
	if a.SlashSink, err = c.SlashSink(o); err != nil {
		return Accountability{}, fmt.Errorf("read slashSink: %w", err)
	}
	return a, nil
}

// ErrUnknownNode: the registry has never seen the node.
var ErrUnknownNode = errors.New("node is not registered")

// ReadNode reads one node, whatever its status, at the latest block.
func ReadNode(ctx context.Context, backend Backend, registry, id common.Address) (Node, error) {
	c, err := regabi.NewNodeRegistry(registry, backend)
	if err != nil {
		return Node{}, err
	}
	bn, err := c.GetNode(&bind.CallOpts{Context: ctx}, id)
	if err != nil {
		if errors.Is(err, bind.ErrNoCode) {
			return Node{}, fmt.Errorf("%w %s", ErrNoRegistry, registry)
		}
		return Node{}, fmt.Errorf("getNode %s: %w", id, err)
	}
	n := fromBinding(bn)
	if n.Status == StatusNone {
		return Node{}, fmt.Errorf("%w: %s", ErrUnknownNode, id)
	}
	if err := n.validate(); err != nil {
		return Node{}, err
	}
	return n, nil
}

// WithDefaults fills a's zero fields from d (the sink too).
func (a Accountability) WithDefaults(d Accountability) Accountability {
	if a.ReportWindow == 0 {
		a.ReportWindow = d.ReportWindow
	}
	if a.OfflineThreshold == 0 {
		a.OfflineThreshold = min(d.OfflineThreshold, a.ReportWindow)
	}
	if a.ReportDeadline == 0 {
		a.ReportDeadline = d.ReportDeadline
	}
	if a.JailPeriod == 0 {
		a.JailPeriod = d.JailPeriod
	}
	if a.SlashBps == 0 {
		a.SlashBps = d.SlashBps
	}
	if a.CommitteeSize == 0 {
		a.CommitteeSize = d.CommitteeSize
	}
	if a.SlashSink == (common.Address{}) {
		a.SlashSink = d.SlashSink
	}
	return a
}
