//go:build unix

package main_test

import (
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// TestVersion: a binary built in a git checkout names its commit, the
// commit's date and the Go version; never a bare "dev".
func TestVersion(t *testing.T) {
	r := e2eMustRun(t, 30*time.Second, nil, "version")
	if err := exec.Command("git", "rev-parse", "HEAD").Run(); err != nil {
		t.Skipf("not a git checkout (git rev-parse HEAD: %v): the binary carries no commit", err)
	}
	m := regexp.MustCompile(`(?m)^  commit: +([0-9a-f]{40})( \(with uncommitted changes\))?$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("validator version built in a git checkout shows no commit:\n%s", r.stdout)
	}
	// The commit the binary was built at (HEAD then; others may have
	// committed since): a commit of this checkout's history.
	if err := exec.Command("git", "merge-base", "--is-ancestor", m[1], "HEAD").Run(); err != nil {
		t.Errorf("validator version names commit %s, which is not in this checkout's history (%v):\n%s", m[1], err, r.stdout)
	}
	for _, re := range []string{
		`(?m)^validator (v\S+|dev-[0-9a-f]{12}\S*)$`,
		`(?m)^  date: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(commit time\)$`,
		`(?m)^  go: +go1\.\d+`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("validator version does not match %s:\n%s", re, r.stdout)
		}
	}
}
