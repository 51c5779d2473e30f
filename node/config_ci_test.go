package node_test

import (
	"os"
	"regexp"
	"testing"

	"validator/node"
)

// TestCIEnvAccepted: every VALIDATOR_* variable .ci/run exports reaches the
// binaries the tests start (the interop test's `validator register`, the
// packaging script's devnet), so the configuration loader must accept it.
func TestCIEnvAccepted(t *testing.T) {
	b, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	ms := regexp.MustCompile(`(?m)^\s*export (VALIDATOR_[A-Z0-9_]+)=(\S*)`).FindAllStringSubmatch(string(b), -1)
	if len(ms) == 0 {
		t.Fatal(".ci/run exports no VALIDATOR_* variable; this test would check nothing")
	}
	for _, m := range ms {
		if _, err := node.LoadConfig(node.ConfigSources{Env: []string{m[1] + "=" + m[2]}}); err != nil {
			t.Errorf(".ci/run exports %s, which the configuration loader refuses: %v", m[1], err)
		}
	}
}
