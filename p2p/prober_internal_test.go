package p2p

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// Unconnected members take turns: every one is dialled within
// ceil(n/k) rounds, none twice before all had a turn, and a network no
// larger than k is probed whole every round.
func TestTakeTurns(t *testing.T) {
	var ms []Member
	for i := range 40 {
		var id common.Address
		id[0], id[19] = byte(i*37), byte(i) // registry order is not ID order
		ms = append(ms, Member{ID: id})
	}
	seen := map[common.Address]int{}
	var cursor common.Address
	for round := range 3 {
		var got []Member
		got, cursor = takeTurns(ms, cursor, 16)
		if len(got) != 16 {
			t.Fatalf("round %d: %d members, want 16", round, len(got))
		}
		for _, m := range got {
			seen[m.ID]++
		}
		if round == 1 {
			for id, n := range seen {
				if n > 1 {
					t.Fatalf("%s probed twice in the first 32 of 40", id)
				}
			}
		}
	}
	if len(seen) != 40 {
		t.Fatalf("%d of 40 members probed in 3 rounds of 16", len(seen))
	}
	small := ms[:10]
	if got, _ := takeTurns(small, cursor, 16); len(got) != 10 {
		t.Fatalf("a network of 10: %d probed, want all", len(got))
	}
}
