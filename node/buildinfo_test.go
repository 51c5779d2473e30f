package node_test

import (
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"validator/node"
)

func TestBuildInfoFrom(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-buildmode", Value: "exe"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2025-03-04T05:06:07Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	for _, tc := range []struct {
		name     string
		bi       debug.BuildInfo
		version  string
		contains []string
	}{
		{"release", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "validator", Version: "v1.2.3"}, Settings: vcs("false")},
			"v1.2.3", []string{"validator v1.2.3\n", "commit:      " + rev + "\n", "date:        2025-03-04T05:06:07Z (commit time)", "go:          go1.26.0 "}},
		{"checkout with changes", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "validator", Version: "v0.0.0-20250304050607-0123456789ab+dirty"}, Settings: vcs("true")},
			"v0.0.0-20250304050607-0123456789ab+dirty", []string{"commit:      " + rev + " (with uncommitted changes)"}},
		{"go run", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "validator", Version: "(devel)"}, Settings: vcs("false")},
			"dev-0123456789ab", []string{"validator dev-0123456789ab\n"}},
		{"no vcs", debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "validator", Version: "(devel)"}},
			"dev", []string{"validator dev\n", "commit:      unknown", "date:        unknown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := node.BuildInfoFrom(&tc.bi)
			if b.Version != tc.version {
				t.Errorf("Version = %q, want %q", b.Version, tc.version)
			}
			if len(tc.bi.Settings) > 0 && (b.Commit != rev || !b.CommitTime.Equal(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))) {
				t.Errorf("Commit, CommitTime = %q, %s", b.Commit, b.CommitTime)
			}
			s := b.String()
			for _, w := range tc.contains {
				if !strings.Contains(s, w) {
					t.Errorf("String() = %q, does not contain %q", s, w)
				}
			}
		})
	}
}

// TestBuildInfoGauge: a node exports validator_build_info = 1 with the
// version it was given.
func TestBuildInfoGauge(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.New(node.Options{Config: node.DefaultConfig(), NodeKey: key, Version: "v9.8.7-test"})
	if err != nil {
		t.Fatal(err)
	}
	mfs, err := n.Metrics().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "validator_build_info" {
			continue
		}
		if len(mf.GetMetric()) != 1 {
			t.Fatalf("validator_build_info has %d series, want 1", len(mf.GetMetric()))
		}
		m := mf.GetMetric()[0]
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if m.GetGauge().GetValue() != 1 || labels["version"] != "v9.8.7-test" || labels["commit"] == "" || !strings.HasPrefix(labels["go_version"], "go") {
			t.Errorf("validator_build_info = %v %v, want 1 with version v9.8.7-test, a commit and go_version", m.GetGauge().GetValue(), labels)
		}
		return
	}
	t.Fatal("validator_build_info is not registered")
}
