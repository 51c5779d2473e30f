package evidence_test

import (
	"testing"

	"validator/reputation"
	"validator/store"
)

// The recorder stores reputation states as store.State by numeric conversion;
// the two enumerations must agree value for value.
func TestStoreStatesMirrorReputationStates(t *testing.T) {
	for _, s := range reputation.States {
		if got, want := store.State(s).String(), s.String(); got != want {
			t.Errorf("state %d: store says %q, reputation %q", s, got, want)
		}
	}
	if got := store.State(len(reputation.States)).String(); got != "state(5)" {
		t.Errorf("store knows a state reputation does not: %q", got)
	}
}
