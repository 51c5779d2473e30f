package evidence_test

import (
	"fmt"
	"testing"

	"validator/reputation"
	"validator/store"
)

// The recorder stores reputation states as store.State, and restores them
// back, by numeric conversion (store depends on neither reputation nor the
// recorder; its values are part of the on-disk format). The two enumerations
// must agree value for value, in both directions.
func TestStoreStatesMirrorReputationStates(t *testing.T) {
	pairs := []struct {
		rep reputation.State
		st  store.State
	}{
		{reputation.Unknown, store.Unknown},
		{reputation.Responsive, store.Responsive},
		{reputation.Slow, store.Slow},
		{reputation.Offline, store.Offline},
		{reputation.Unreached, store.Unreached},
	}
	if len(pairs) != len(reputation.States) {
		t.Fatalf("reputation has %d states, this test pairs %d: pair the new one with its store state", len(reputation.States), len(pairs))
	}
	for _, p := range pairs {
		if got := store.State(p.rep); got != p.st {
			t.Errorf("reputation %v is stored as %v, want %v", p.rep, got, p.st)
		}
		if got := reputation.State(p.st); got != p.rep {
			t.Errorf("store %v is restored as %v, want %v", p.st, got, p.rep)
		}
		if p.rep.String() != p.st.String() {
			t.Errorf("reputation %q and store %q name the same state differently", p.rep, p.st)
		}
	}
	for _, s := range reputation.States {
		if got, want := store.State(s).String(), s.String(); got != want {
			t.Errorf("state %d: store says %q, reputation %q", s, got, want)
		}
	}
	n := len(reputation.States)
	if got := store.State(n).String(); got != fmt.Sprintf("state(%d)", n) {
		t.Errorf("store knows a state reputation does not: %q", got)
	}
}
