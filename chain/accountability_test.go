package chain_test

// Tests of the registry's accountability paths: reportOffline with every
// rejection, jail, slash and its sweep to the sink, unjail, exit while jailed,
// the committee sortition, and the view following jail and unjail.

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"

	regabi "validator/abi"
	"validator/chain"
)

// accTest are short accountability parameters: 60 s windows, 20 s offline
// to report, 5 minutes to report, 2 minutes in jail, 10 % slashed.
var accTest = chain.Accountability{
	ReportWindow:     60 * time.Second,
	OfflineThreshold: 20 * time.Second,
	ReportDeadline:   5 * time.Minute,
	JailPeriod:       2 * time.Minute,
	SlashBps:         1000,
	CommitteeSize:    64,
	SlashSink:        common.HexToAddress("0x5111c0000000000000000000000000000000da7a"),
}

// accEnv is a registry with n active nodes, node i registered by operator i
// with key keys[i]; window is a report window that began after every
// registration and is over.
type accEnv struct {
	*contractEnv
	ids    []common.Address
	keys   []*ecdsa.PrivateKey
	window uint64
}

func newAccEnv(t *testing.T, n int, acc chain.Accountability) *accEnv {
	t.Helper()
	c := newContractEnvWith(t, envConfig{operators: n + 1, acc: acc})
	a := &accEnv{contractEnv: c}
	for i := range n {
		id, k := c.register(i, fmt.Sprintf("acc-%d", i))
		a.ids = append(a.ids, id)
		a.keys = append(a.keys, k)
	}
	a.window = a.nextWindow(t)
	a.elapseTo(t, chain.WindowStart(a.window+1, acc.ReportWindow))
	return a
}

// nextWindow is the first window that begins after the head.
func (a *accEnv) nextWindow(t testing.TB) uint64 {
	t.Helper()
	return chain.WindowAt(a.headTime(t), a.acc(t).ReportWindow) + 1
}

func (a *accEnv) acc(t testing.TB) chain.Accountability {
	t.Helper()
	p, err := chain.ReadParams(a.ctx, a.backend, a.registry)
	if err != nil {
		t.Fatal(err)
	}
	return p.Accountability
}

func (a *accEnv) headTime(t testing.TB) time.Time {
	t.Helper()
	h, err := a.backend.HeaderByNumber(a.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return time.Unix(int64(h.Time), 0)
}

// elapseTo seals an empty block at or after at.
func (a *accEnv) elapseTo(t *testing.T, at time.Time) {
	t.Helper()
	if d := at.Sub(a.headTime(t)); d > 0 {
		a.elapse(t, d)
	}
}

// attest is node i's attestation that node about was offline secs seconds in window.
func (a *accEnv) attest(t testing.TB, i int, about common.Address, window, secs uint64) chain.Attestation {
	t.Helper()
	sig, err := chain.SignAttestation(a.keys[i], a.chainID, a.registry, about, window, secs)
	if err != nil {
		t.Fatal(err)
	}
	return chain.Attestation{Attester: a.ids[i], OfflineSeconds: secs, Signature: sig}
}

// attests are the attestations of nodes is about node about in a.window.
func (a *accEnv) attests(t testing.TB, about common.Address, secs uint64, is ...int) []chain.Attestation {
	t.Helper()
	var out []chain.Attestation
	for _, i := range is {
		out = append(out, a.attest(t, i, about, a.window, secs))
	}
	return out
}

func (a *accEnv) report(t testing.TB, about common.Address, window uint64, atts []chain.Attestation) (chain.Receipt, error) {
	t.Helper()
	r, err := a.ops[len(a.ops)-1].ReportOffline(a.ctx, about, window, atts)
	if err == nil {
		a.settle(t, r.Block)
	}
	return r, err
}

func TestContractReportOffline(t *testing.T) {
	a := newAccEnv(t, 5, accTest)
	target := a.ids[0]
	before := a.node(t, target)
	held := a.balance(t, a.registry)

	// 4 observers: every one is in the committee, 3 are needed.
	q, err := a.reg.Quorum(a.callOpts())
	if err != nil {
		t.Fatal(err)
	}
	if q.Observers.Int64() != 4 || q.Committee.Int64() != 4 || q.Needed.Int64() != 3 {
		t.Fatalf("quorum = %d observers, committee %d, %d needed; want 4, 4, 3", q.Observers, q.Committee, q.Needed)
	}
	if got := chain.Quorum(4, accTest.CommitteeSize); got != 3 {
		t.Fatalf("chain.Quorum(4) = %d, want 3", got)
	}
	r, err := a.report(t, target, a.window, a.attests(t, target, 20, 3, 1, 2))
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	rc := a.receipt(t, r.TxHash)
	var names []string
	for _, l := range rc.Logs {
		switch l.Topics[0] {
		case eventTopic(t, "OfflineReported"):
			e, err := a.reg.ParseOfflineReported(*l)
			if err != nil {
				t.Fatal(err)
			}
			if e.Id != target || e.Window != a.window || e.Reporter != a.operators[len(a.operators)-1].Address ||
				e.Attesters.Int64() != 3 || e.Quorum.Int64() != 3 {
				t.Errorf("OfflineReported = %+v", e)
			}
		case eventTopic(t, "Slashed"):
			e, err := a.reg.ParseSlashed(*l)
			if err != nil {
				t.Fatal(err)
			}
			wantSlash := new(big.Int).Div(new(big.Int).Mul(minStake, big.NewInt(1000)), big.NewInt(10000))
			if e.Id != target || e.Amount.Cmp(wantSlash) != 0 || e.Stake.Cmp(new(big.Int).Sub(minStake, wantSlash)) != 0 {
				t.Errorf("Slashed = %s of %s, %s left; want %s", e.Amount, e.Id, e.Stake, wantSlash)
			}
		case eventTopic(t, "Jailed"):
			e, err := a.reg.ParseJailed(*l)
			if err != nil {
				t.Fatal(err)
			}
			if want := a.blockTime(t, r.Block) + 120; e.Id != target || e.Window != a.window || e.JailedUntil != want {
				t.Errorf("Jailed = %+v, want until %d", e, want)
			}
		default:
			t.Errorf("unexpected log %s", l.Topics[0])
		}
		names = append(names, l.Topics[0].Hex())
	}
	if len(names) != 3 {
		t.Fatalf("report emitted %d logs, want OfflineReported, Slashed, Jailed", len(names))
	}
	n := a.node(t, target)
	if n.Status != chain.StatusJailed || !n.JailedUntil.Equal(time.Unix(int64(a.blockTime(t, r.Block)+120), 0).UTC()) {
		t.Errorf("node = %s until %s, want jailed for 2 minutes", n.Status, n.JailedUntil)
	}
	slash := new(big.Int).Sub(before.Stake, n.Stake)
	if want := big.NewInt(0).Div(new(big.Int).Mul(minStake, big.NewInt(1000)), big.NewInt(10000)); slash.Cmp(want) != 0 {
		t.Errorf("slashed %s, want %s", slash, want)
	}
	if a.count(t) != 4 {
		t.Errorf("nodeCount = %d, want 4", a.count(t))
	}
	if active, _ := a.reg.IsActive(a.callOpts(), target); active {
		t.Error("jailed node still active")
	}
	if rep, _ := a.reg.IsReported(a.callOpts(), target, a.window); !rep {
		t.Error("isReported = false after the report")
	}
	pending, err := a.reg.SlashedPending(a.callOpts())
	if err != nil || pending.Cmp(slash) != 0 {
		t.Errorf("slashedPending = %v (%v), want %s", pending, err, slash)
	}
	if got := a.balance(t, a.registry); got.Cmp(held) != 0 {
		t.Errorf("registry balance %s, want %s unchanged until the sweep", got, held)
	}

	t.Run("sweep to the sink", func(t *testing.T) {
		sinkBefore := a.balance(t, accTest.SlashSink)
		r, err := a.ops[1].SweepSlashed(a.ctx)
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		a.settle(t, r.Block)
		if got := new(big.Int).Sub(a.balance(t, accTest.SlashSink), sinkBefore); got.Cmp(slash) != 0 {
			t.Errorf("sink received %s, want %s", got, slash)
		}
		if got := new(big.Int).Sub(held, a.balance(t, a.registry)); got.Cmp(slash) != 0 {
			t.Errorf("registry paid %s, want %s", got, slash)
		}
		_, err = a.ops[1].SweepSlashed(a.ctx)
		expectContractError(t, err, "ZeroAmount", nil)
	})
	t.Run("replay", func(t *testing.T) {
		_, err := a.report(t, target, a.window, a.attests(t, target, 20, 1, 2, 3))
		expectContractError(t, err, "NotActive", map[string]string{"id": target.Hex()})
	})
	t.Run("unjail too early", func(t *testing.T) {
		_, err := a.ops[0].Unjail(a.ctx, target, nil)
		expectContractError(t, err, "StillJailed", map[string]string{"jailedUntil": fmt.Sprint(n.JailedUntil.Unix())})
	})
	t.Run("unjail by another operator", func(t *testing.T) {
		_, err := a.ops[1].Unjail(a.ctx, target, nil)
		expectContractError(t, err, "NotOperator", nil)
	})
	t.Run("unjail an active node", func(t *testing.T) {
		_, err := a.ops[1].Unjail(a.ctx, a.ids[1], nil)
		expectContractError(t, err, "NotJailed", map[string]string{"id": a.ids[1].Hex()})
	})
	t.Run("unjail", func(t *testing.T) {
		a.elapseTo(t, n.JailedUntil)
		_, err := a.ops[0].Unjail(a.ctx, target, nil)
		expectContractError(t, err, "StakeTooLow", map[string]string{"sent": n.Stake.String(), "minimum": minStake.String()})
		r, err := a.ops[0].Unjail(a.ctx, target, slash)
		if err != nil {
			t.Fatalf("unjail with the slash topped up: %v", err)
		}
		a.settle(t, r.Block)
		e, err := a.reg.ParseUnjailed(a.onlyLog(t, r))
		if err != nil {
			t.Fatal(err)
		}
		if e.Id != target || e.Stake.Cmp(minStake) != 0 || e.RegisteredAt != before.RegisteredAt ||
			!bytes.Equal(e.PubKey, before.PubKey) || e.ActiveSince != a.blockTime(t, r.Block) {
			t.Errorf("Unjailed = %+v", e)
		}
		got := a.node(t, target)
		if got.Status != chain.StatusActive || got.Stake.Cmp(minStake) != 0 || !got.JailedUntil.IsZero() {
			t.Errorf("node = %s, stake %s, jailed until %s; want active with the minimum", got.Status, got.Stake, got.JailedUntil)
		}
		if a.count(t) != 5 {
			t.Errorf("nodeCount = %d, want 5", a.count(t))
		}
	})
	t.Run("reported window stays reported", func(t *testing.T) {
		_, err := a.report(t, target, a.window, a.attests(t, target, 20, 1, 2, 3))
		// The window is now too old or already reported; whichever comes first
		// in the checks, the report is refused.
		if !chain.IsRevert(err, "AlreadyReported") && !chain.IsRevert(err, "WindowTooOld") {
			t.Fatalf("second report of the window = %v, want AlreadyReported or WindowTooOld", err)
		}
	})
}

func TestContractReportOfflineRejections(t *testing.T) {
	a := newAccEnv(t, 5, accTest)
	target := a.ids[0]
	// Node 4 exits; a fresh node 5 registers after the window began.
	_, err := a.ops[4].RequestExit(a.ctx, a.ids[4])
	if err != nil {
		t.Fatal(err)
	}
	late, lateKey := a.register(5, "acc-late")
	a.ids, a.keys = append(a.ids, late), append(a.keys, lateKey)
	stranger := key(t, "never registered")
	forged := a.attest(t, 1, target, a.window, 30)
	forged.Signature, err = chain.SignAttestation(stranger, a.chainID, a.registry, target, a.window, 30)
	if err != nil {
		t.Fatal(err)
	}
	highS := a.attest(t, 2, target, a.window, 30)
	highS.Signature = highSTwin(t, highS.Signature)
	wrongDigest := a.attest(t, 3, target, a.window, 30)
	wrongDigest.OfflineSeconds = 31 // signed 30
	now := chain.WindowAt(a.headTime(t), accTest.ReportWindow)

	for _, tc := range []struct {
		name   string
		about  common.Address
		window uint64
		atts   []chain.Attestation
		want   string
		args   map[string]string
	}{
		{"short quorum", target, a.window, a.attests(t, target, 30, 1, 2), "QuorumNotReached", map[string]string{"attesters": "2", "quorum": "3"}},
		{"forged signature", target, a.window, append(a.attests(t, target, 30, 2, 3), forged), "BadAttestation", map[string]string{"attester": a.ids[1].Hex()}},
		{"high-s twin", target, a.window, append(a.attests(t, target, 30, 1, 3), highS), "BadAttestation", map[string]string{"attester": a.ids[2].Hex()}},
		{"seconds not signed", target, a.window, append(a.attests(t, target, 30, 1, 2), wrongDigest), "BadAttestation", map[string]string{"attester": a.ids[3].Hex()}},
		{"duplicate attester", target, a.window, a.attests(t, target, 30, 1, 2, 2), "AttestersNotSorted", map[string]string{"index": "2"}},
		{"self attestation", target, a.window, a.attests(t, target, 30, 0, 1, 2), "SelfAttestation", map[string]string{"attester": target.Hex()}},
		{"inactive attester", target, a.window, a.attests(t, target, 30, 1, 2, 4), "AttesterNotActive", map[string]string{"attester": a.ids[4].Hex()}},
		{"attester newer than the window", target, a.window, a.attests(t, target, 30, 1, 2, 5), "AttesterTooNew", map[string]string{"attester": late.Hex()}},
		{"below the threshold", target, a.window, append(a.attests(t, target, 30, 1, 2), a.attest(t, 3, target, a.window, 19)), "OfflineBelowThreshold", map[string]string{"attester": a.ids[3].Hex(), "offlineSeconds": "19", "threshold": "20"}},
		{"above the window", target, a.window, append(a.attests(t, target, 30, 1, 2), a.attest(t, 3, target, a.window, 61)), "OfflineAboveWindow", map[string]string{"offlineSeconds": "61"}},
		{"current window", target, now, []chain.Attestation{a.attest(t, 1, target, now, 30), a.attest(t, 2, target, now, 30), a.attest(t, 3, target, now, 30)}, "WindowNotOver", map[string]string{"window": fmt.Sprint(now)}},
		{"future window", target, now + 5, []chain.Attestation{a.attest(t, 1, target, now+5, 30)}, "WindowNotOver", nil},
		{"absurd window", target, 1<<64 - 1, []chain.Attestation{a.attest(t, 1, target, 1<<64-1, 30)}, "WindowNotOver", nil},
		{"inactive node", a.ids[4], a.window, a.attests(t, a.ids[4], 30, 1, 2, 3), "NotActive", map[string]string{"id": a.ids[4].Hex()}},
		{"unknown node", crypto.PubkeyToAddress(stranger.PublicKey), a.window, a.attests(t, crypto.PubkeyToAddress(stranger.PublicKey), 30, 1, 2, 3), "NotActive", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.report(t, tc.about, tc.window, tc.atts)
			expectContractError(t, err, tc.want, tc.args)
		})
	}
	t.Run("lengths differ", func(t *testing.T) {
		o := bind.NewKeyedTransactor(key(t, "operator-0"), a.chainID)
		o.Context = a.ctx
		_, err := a.reg.ReportOffline(o, target, a.window, []common.Address{a.ids[1]}, []uint64{30, 30}, [][]byte{{1}})
		if name := contractErrorName(revertData(err)); name != "LengthMismatch" {
			t.Fatalf("report = %v (%q), want LengthMismatch", err, name)
		}
	})
	t.Run("nothing changed", func(t *testing.T) {
		if n := a.node(t, target); n.Status != chain.StatusActive || n.Stake.Cmp(minStake) != 0 {
			t.Errorf("target = %s with %s after refused reports", n.Status, n.Stake)
		}
		if rep, _ := a.reg.IsReported(a.callOpts(), target, a.window); rep {
			t.Error("window marked reported by a refused report")
		}
	})
	t.Run("too old", func(t *testing.T) {
		a.elapseTo(t, chain.WindowStart(a.window+1, accTest.ReportWindow).Add(accTest.ReportDeadline+time.Second))
		_, err := a.report(t, target, a.window, a.attests(t, target, 30, 1, 2, 3))
		end := chain.WindowStart(a.window+1, accTest.ReportWindow).Add(accTest.ReportDeadline)
		expectContractError(t, err, "WindowTooOld", map[string]string{"deadline": fmt.Sprint(end.Unix())})
	})
}

// highSTwin is the other valid encoding of an [r || s || v] signature: s
// replaced by n - s and v flipped.
func highSTwin(t testing.TB, sig []byte) []byte {
	t.Helper()
	n := crypto.S256().Params().N
	s := new(big.Int).SetBytes(sig[32:64])
	out := slices.Clone(sig)
	new(big.Int).Sub(n, s).FillBytes(out[32:64])
	out[64] ^= 1
	return out
}

func eventTopic(t testing.TB, name string) common.Hash {
	t.Helper()
	a, err := regabi.NodeRegistryMetaData.GetAbi()
	if err != nil {
		t.Fatal(err)
	}
	return a.Events[name].ID
}

func TestContractJailedExit(t *testing.T) {
	a := newAccEnv(t, 4, accTest)
	target := a.ids[0]
	r, err := a.report(t, target, a.window, a.attests(t, target, 20, 1, 2, 3))
	if err != nil {
		t.Fatal(err)
	}
	jailedUntil := a.blockTime(t, r.Block) + 120
	t.Run("exit while jailed waits for the jail's end", func(t *testing.T) {
		r, err := a.ops[0].RequestExit(a.ctx, target)
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
		a.settle(t, r.Block)
		e, err := a.reg.ParseExitRequested(a.onlyLog(t, r))
		if err != nil {
			t.Fatal(err)
		}
		// unbonding (an hour) ends after the jail (two minutes).
		if want := a.blockTime(t, r.Block) + uint64(unbonding/time.Second); e.WithdrawableAt != max(want, jailedUntil) {
			t.Errorf("withdrawable at %d, want %d", e.WithdrawableAt, max(want, jailedUntil))
		}
		if a.count(t) != 3 {
			t.Errorf("nodeCount = %d, want 3 (the jailed node was already out)", a.count(t))
		}
		_, err = a.ops[0].Unjail(a.ctx, target, nil)
		expectContractError(t, err, "NotJailed", nil)
	})
	t.Run("jail outlasting unbonding", func(t *testing.T) {
		long := accTest
		long.JailPeriod = 3 * time.Hour
		b := newAccEnv(t, 4, long)
		r, err := b.report(t, b.ids[0], b.window, b.attests(t, b.ids[0], 20, 1, 2, 3))
		if err != nil {
			t.Fatal(err)
		}
		until := b.blockTime(t, r.Block) + uint64(long.JailPeriod/time.Second)
		r, err = b.ops[0].RequestExit(b.ctx, b.ids[0])
		if err != nil {
			t.Fatal(err)
		}
		e, err := b.reg.ParseExitRequested(b.onlyLog(t, r))
		if err != nil {
			t.Fatal(err)
		}
		if e.WithdrawableAt != until {
			t.Errorf("withdrawable at %d, want the jail's end %d", e.WithdrawableAt, until)
		}
	})
}

func TestContractCommitteeSortition(t *testing.T) {
	acc := accTest
	acc.CommitteeSize = 3
	a := newAccEnv(t, 8, acc)
	// 7 observers of each node, more than 3: a sortition of expected size 3,
	// with 3 attestations needed. Go's InCommittee agrees with the contract's.
	q, err := a.reg.Quorum(a.callOpts())
	if err != nil {
		t.Fatal(err)
	}
	if q.Observers.Int64() != 7 || q.Committee.Int64() != 3 || q.Needed.Int64() != 3 {
		t.Fatalf("quorum = %d, %d, %d; want 7 observers, committee 3, 3 needed", q.Observers, q.Committee, q.Needed)
	}
	target := a.ids[0]
	sizes := map[int]int{}
	for w := a.window; w < a.window+50; w++ {
		members, _ := a.committee(t, target, w)
		sizes[len(members)]++
		for i := 1; i < len(a.ids); i++ {
			in := slices.Contains(members, i)
			if in != chain.InCommittee(a.chainID, a.registry, target, w, a.ids[i], 7, 3) {
				t.Fatalf("window %d, observer %d: contract says %v, chain.InCommittee the opposite", w, i, in)
			}
		}
	}
	t.Logf("committee sizes over 50 windows: %v", sizes)
	if len(sizes) < 2 {
		t.Errorf("every window's committee has the same size %v: not a sortition", sizes)
	}
	window := a.findWindow(t, target, 3)
	members, others := a.committee(t, target, window)
	t.Run("outsider refused", func(t *testing.T) {
		atts := a.windowAttests(t, target, window, 30, members[:2]...)
		atts = append(atts, a.attest(t, others[0], target, window, 30))
		_, err := a.report(t, target, window, atts)
		expectContractError(t, err, "NotInCommittee", map[string]string{"attester": a.ids[others[0]].Hex()})
	})
	t.Run("committee reports", func(t *testing.T) {
		if _, err := a.report(t, target, window, a.windowAttests(t, target, window, 30, members[:3]...)); err != nil {
			t.Fatalf("report by the committee: %v", err)
		}
		if n := a.node(t, target); n.Status != chain.StatusJailed {
			t.Errorf("node %s, want jailed", n.Status)
		}
	})
}

// committee splits the other nodes into target's committee for window and the rest.
func (a *accEnv) committee(t testing.TB, target common.Address, window uint64) (members, others []int) {
	t.Helper()
	for i := range a.ids {
		if a.ids[i] == target {
			continue
		}
		in, err := a.reg.InCommittee(a.callOpts(), target, window, a.ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if in {
			members = append(members, i)
		} else {
			others = append(others, i)
		}
	}
	return members, others
}

// findWindow moves time on to the end of the first window after the head in
// which target's committee has at least size members and one non-member.
func (a *accEnv) findWindow(t *testing.T, target common.Address, size int) uint64 {
	t.Helper()
	acc := a.acc(t)
	for w := a.nextWindow(t); ; w++ {
		if m, o := a.committee(t, target, w); len(m) >= size && len(o) > 0 {
			a.elapseTo(t, chain.WindowStart(w+1, acc.ReportWindow))
			return w
		}
	}
}

func (a *accEnv) windowAttests(t testing.TB, about common.Address, window, secs uint64, is ...int) []chain.Attestation {
	t.Helper()
	var out []chain.Attestation
	for _, i := range is {
		out = append(out, a.attest(t, i, about, window, secs))
	}
	return out
}

func TestContractAttestDigest(t *testing.T) {
	a := newAccEnv(t, 1, accTest)
	got, err := a.reg.AttestDigest(a.callOpts(), a.ids[0], 12345, 678)
	if err != nil {
		t.Fatal(err)
	}
	if want := chain.AttestDigest(a.chainID, a.registry, a.ids[0], 12345, 678); got != want {
		t.Errorf("attestDigest = %x, chain.AttestDigest = %x", got, want)
	}
	dom, err := a.reg.ATTESTDOMAIN(a.callOpts())
	if err != nil || dom != chain.AttestDomain {
		t.Errorf("ATTEST_DOMAIN = %x (%v), want %x", dom, err, chain.AttestDomain)
	}
	cdom, err := a.reg.COMMITTEEDOMAIN(a.callOpts())
	if err != nil || cdom != chain.CommitteeDomain {
		t.Errorf("COMMITTEE_DOMAIN = %x (%v), want %x", cdom, err, chain.CommitteeDomain)
	}
	w, err := a.reg.WindowAt(a.callOpts(), 3600*7+59)
	if err != nil || w != 420 {
		t.Errorf("windowAt(25259) = %d (%v), want 420", w, err)
	}
}

// reentererABI and reentererBin are compiled (solc 0.8.30, optimizer 200 runs,
// cancun) from this source:
//
//	contract Reenterer {
//	    address private immutable registry;
//	    uint256 public mode;
//	    bytes public callData;
//	    bool public reentered;
//	    bytes public reentryError;
//
//	    constructor(address registry_) {
//	        registry = registry_;
//	    }
//
//	    function setMode(uint256 mode_, bytes calldata data) external {
//	        mode = mode_;
//	        callData = data;
//	    }
//
//	    // Mode 0 accepts ether, mode 1 refuses it, mode 2 makes the call set by
//	    // setMode to the registry once from inside the payment and keeps its outcome.
//	    receive() external payable {
//	        if (mode == 1) revert("refused");
//	        if (mode == 2) {
//	            mode = 0;
//	            (bool ok, bytes memory ret) = registry.call(callData);
//	            reentered = ok;
//	            reentryError = ret;
//	        }
//	    }
//	}
const reentererABI = `[{"inputs":[{"internalType":"address","name":"registry_","type":"address"}],"stateMutability":"nonpayable","type":"constructor"},{"inputs":[],"name":"callData","outputs":[{"internalType":"bytes","name":"","type":"bytes"}],"stateMutability":"view","type":"function"},{"inputs":[],"name":"mode","outputs":[{"internalType":"uint256","name":"","type":"uint256"}],"stateMutability":"view","type":"function"},{"inputs":[],"name":"reentered","outputs":[{"internalType":"bool","name":"","type":"bool"}],"stateMutability":"view","type":"function"},{"inputs":[],"name":"reentryError","outputs":[{"internalType":"bytes","name":"","type":"bytes"}],"stateMutability":"view","type":"function"},{"inputs":[{"internalType":"uint256","name":"mode_","type":"uint256"},{"internalType":"bytes","name":"data","type":"bytes"}],"name":"setMode","outputs":[],"stateMutability":"nonpayable","type":"function"},{"stateMutability":"payable","type":"receive"}]`

const reentererBin = "60a0604052348015600e575f5ffd5b5060405161066e38038061066e833981016040819052602b91603b565b6001600160a01b03166080526066565b5f60208284031215604a575f5ffd5b81516001600160a01b0381168114605f575f5ffd5b9392505050565b6080516105f161007d5f395f60ac01526105f15ff3fe60806040526004361061004c575f3560e01c806325e83a3e14610141578063295a5212146101605780633f09775e146101875780634e417a98146101b0578063ca6ddc2f146101d1575f5ffd5b3661013d575f546001036100905760405162461bcd60e51b81526020600482015260076024820152661c99599d5cd95960ca1b604482015260640160405180910390fd5b5f5460020361013b575f80805560405181906001600160a01b037f000000000000000000000000000000000000000000000000000000000000000016906100d9906001906102c9565b5f604051808303815f865af19150503d805f8114610112576040519150601f19603f3d011682016040523d82523d5f602084013e610117565b606091505b506002805460ff191683151517905590925090506003610137828261039a565b5050505b005b5f5ffd5b34801561014c575f5ffd5b5061013b61015b366004610455565b6101e5565b34801561016b575f5ffd5b506101745f5481565b6040519081526020015b60405180910390f35b348015610192575f5ffd5b506002546101a09060ff1681565b604051901515815260200161017e565b3480156101bb575f5ffd5b506101c46101fc565b60405161017e91906104cc565b3480156101dc575f5ffd5b506101c4610288565b5f83905560016101f6828483610501565b50505050565b6001805461020990610291565b80601f016020809104026020016040519081016040528092919081815260200182805461023590610291565b80156102805780601f1061025757610100808354040283529160200191610280565b820191905f5260205f20905b81548152906001019060200180831161026357829003601f168201915b505050505081565b60038054610209905b600181811c908216806102a557607f821691505b6020821081036102c357634e487b7160e01b5f52602260045260245ffd5b50919050565b5f5f83546102d681610291565b6001821680156102ed57600181146103025761032f565b60ff198316865281151582028601935061032f565b865f5260205f205f5b838110156103275781548882015260019091019060200161030b565b505081860193505b509195945050505050565b634e487b7160e01b5f52604160045260245ffd5b601f82111561039557805f5260205f20601f840160051c810160208510156103735750805b601f840160051c820191505b81811015610392575f815560010161037f565b50505b505050565b815167ffffffffffffffff8111156103b4576103b461033a565b6103c8816103c28454610291565b8461034e565b6020601f8211600181146103fa575f83156103e35750848201515b5f19600385901b1c1916600184901b178455610392565b5f84815260208120601f198516915b828110156104295787850151825560209485019460019092019101610409565b508482101561044657868401515f19600387901b60f8161c191681555b50505050600190811b01905550565b5f5f5f60408486031215610467575f5ffd5b83359250602084013567ffffffffffffffff811115610484575f5ffd5b8401601f81018613610494575f5ffd5b803567ffffffffffffffff8111156104aa575f5ffd5b8660208284010111156104bb575f5ffd5b939660209190910195509293505050565b602081525f82518060208401528060208501604085015e5f604082850101526040601f19601f83011684010191505092915050565b67ffffffffffffffff8311156105195761051961033a565b61052d836105278354610291565b8361034e565b5f601f84116001811461055e575f85156105475750838201355b5f19600387901b1c1916600186901b178355610392565b5f83815260208120601f198716915b8281101561058d578685013582556020948501946001909201910161056d565b50868210156105a9575f1960f88860031b161c19848701351681555b505060018560011b018355505050505056fea2646970667358221220bcb9a48be1c513fbc2894d9c8b63cbe6ef58d30d31532475e13ee6fbe13d04c664736f6c634300081e0033"

func TestContractSweepToContract(t *testing.T) {
	// The sink is a contract: the registry must be deployed with its address,
	// and the contract with the registry's, so the sink is deployed first with
	// the registry's future address (the deployer's next nonce).
	c := newContractEnvWith(t, envConfig{operators: 5})
	deployer := chain.NewKeySigner(key(t, "sink-deployer"))
	fund, err := chain.Transfer(c.ctx, c.backend, c.admin, deployer.Address, ether(10), chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatalf("fund: %v", err)
	}
	c.settle(t, fund.Block)
	parsed, err := abi.JSON(strings.NewReader(reentererABI))
	if err != nil {
		t.Fatal(err)
	}
	opts := func() *bind.TransactOpts {
		o := bind.NewKeyedTransactor(key(t, "sink-deployer"), c.chainID)
		o.Context = c.ctx
		return o
	}
	nonce, err := c.backend.PendingNonceAt(c.ctx, deployer.Address)
	if err != nil {
		t.Fatal(err)
	}
	registryAddr := crypto.CreateAddress(deployer.Address, nonce+1)
	ctor, err := parsed.Pack("", registryAddr)
	if err != nil {
		t.Fatal(err)
	}
	sink, tx, err := bind.DeployContract(opts(), common.FromHex(reentererBin), c.backend, ctor)
	if err != nil {
		t.Fatalf("deploy sink: %v", err)
	}
	if rc := c.receipt(t, tx.Hash()); rc.Status != types.ReceiptStatusSuccessful {
		t.Fatal("sink deployment reverted")
	}
	acc := accTest
	acc.SlashSink = sink
	reg, r, err := chain.Deploy(c.ctx, c.backend, deployer, chain.DeployParams{MinStake: minStake, UnbondingPeriod: unbonding, Accountability: acc}, chain.WithReceiptPoll(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if reg != registryAddr {
		t.Fatalf("registry at %s, expected %s", reg, registryAddr)
	}
	c.settle(t, r.Block)
	c.registry = reg
	if c.reg, err = regabi.NewNodeRegistry(reg, c.backend); err != nil {
		t.Fatal(err)
	}
	c.ops = nil
	for _, op := range c.operators {
		c.ops = append(c.ops, c.transactor(op))
	}
	a := &accEnv{contractEnv: c}
	for i := range 4 {
		id, k := c.register(i, fmt.Sprintf("sweep-%d", i))
		a.ids, a.keys = append(a.ids, id), append(a.keys, k)
	}
	a.window = a.nextWindow(t)
	a.elapseTo(t, chain.WindowStart(a.window+1, acc.ReportWindow))
	if _, err := a.report(t, a.ids[0], a.window, a.attests(t, a.ids[0], 20, 1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	contract := bind.NewBoundContract(sink, parsed, c.backend, c.backend, c.backend)
	setMode := func(t *testing.T, mode int64, data []byte) {
		t.Helper()
		tx, err := contract.Transact(opts(), "setMode", big.NewInt(mode), data)
		if err != nil {
			t.Fatal(err)
		}
		if rc := c.receipt(t, tx.Hash()); rc.Status != types.ReceiptStatusSuccessful {
			t.Fatal("setMode reverted")
		}
	}
	view := func(t *testing.T, method string) any {
		t.Helper()
		var out []any
		if err := contract.Call(c.callOpts(), &out, method); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		return out[0]
	}
	pending, err := c.reg.SlashedPending(c.callOpts())
	if err != nil || pending.Sign() == 0 {
		t.Fatalf("slashedPending = %v (%v)", pending, err)
	}
	t.Run("sink refuses", func(t *testing.T) {
		setMode(t, 1, nil)
		_, err := c.ops[1].SweepSlashed(c.ctx)
		expectContractError(t, err, "TransferFailed", nil)
		if p, _ := c.reg.SlashedPending(c.callOpts()); p.Cmp(pending) != 0 {
			t.Errorf("slashedPending = %s after a failed sweep, want %s", p, pending)
		}
	})
	t.Run("sink re-enters", func(t *testing.T) {
		regABI, err := regabi.NodeRegistryMetaData.GetAbi()
		if err != nil {
			t.Fatal(err)
		}
		data, err := regABI.Pack("sweepSlashed")
		if err != nil {
			t.Fatal(err)
		}
		setMode(t, 2, data)
		before := c.balance(t, sink)
		r, err := c.ops[1].SweepSlashed(c.ctx)
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		c.settle(t, r.Block)
		if view(t, "reentered").(bool) {
			t.Error("the re-entrant sweep succeeded")
		}
		// Without the lock it would be ZeroAmount: pending is cleared before the payment.
		if name := contractErrorName(view(t, "reentryError").([]byte)); name != "Reentrancy" {
			t.Errorf("re-entrant sweep failed with %q, want Reentrancy", name)
		}
		if got := new(big.Int).Sub(c.balance(t, sink), before); got.Cmp(pending) != 0 {
			t.Errorf("sink received %s, want %s once", got, pending)
		}
	})
}

// TestTransactorGasCap: a report whose estimate is above the gas cap is not
// sent (ErrGasCap, nothing on chain); under a cap it needs, it is.
func TestTransactorGasCap(t *testing.T) {
	a := newAccEnv(t, 5, accTest)
	target := a.ids[0]
	atts := a.attests(t, target, 30, 1, 2, 3)
	op := a.operators[len(a.operators)-1]
	capped, err := chain.NewTransactor(a.ctx, a.backend, a.registry, op, chain.WithReceiptPoll(5*time.Millisecond), chain.WithGasCap(50_000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := capped.ReportOffline(a.ctx, target, a.window, atts); !errors.Is(err, chain.ErrGasCap) {
		t.Fatalf("report under a 50,000 gas cap = %v, want ErrGasCap", err)
	}
	if ok, err := chain.ReadReported(a.ctx, a.backend, a.registry, target, a.window); err != nil || ok {
		t.Fatalf("reported after a refused send = %v, %v; want false", ok, err)
	}
	roomy, err := chain.NewTransactor(a.ctx, a.backend, a.registry, op, chain.WithReceiptPoll(5*time.Millisecond), chain.WithGasCap(3_000_000))
	if err != nil {
		t.Fatal(err)
	}
	r, err := roomy.ReportOffline(a.ctx, target, a.window, atts)
	if err != nil {
		t.Fatalf("report under a 3M gas cap: %v", err)
	}
	a.settle(t, r.Block)
	if ok, err := chain.ReadReported(a.ctx, a.backend, a.registry, target, a.window); err != nil || !ok {
		t.Fatalf("reported = %v, %v; want true", ok, err)
	}
}

// TestStandingJailed: a node the registry jails sees its own standing as
// jailed, with when it may be unjailed, and active again after unjail.
func TestStandingJailed(t *testing.T) {
	a := newAccEnv(t, 5, accTest)
	target := a.ids[0]
	view := startView(t, a.backend, a.registry)
	pid, err := chain.PeerIDFromPubKey(crypto.FromECDSAPub(&a.keys[0].PublicKey)[1:])
	if err != nil {
		t.Fatal(err)
	}
	s, err := chain.NewStanding(view, target, pid, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if v := s.Classify(a.ctx); v.State != chain.StandingActive {
		t.Fatalf("before the report: %+v, want active", v)
	}
	if _, err := a.report(t, target, a.window, a.attests(t, target, 30, 1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the view to drop the jailed node", func() bool { _, ok := view.Node(target); return !ok })
	v := s.Classify(a.ctx)
	if v.State != chain.StandingJailed || !strings.Contains(v.Reason, "may be unjailed from") {
		t.Fatalf("after the report: %+v, want jailed with the unjail time", v)
	}
}
