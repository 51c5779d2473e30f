//go:build unix

package main_test

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestVersion: a binary built in a git checkout names its commit, the
// commit's date and the Go version; never a bare "dev".
func TestVersion(t *testing.T) {
	r := e2eMustRun(t, 30*time.Second, nil, "version")
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (git rev-parse HEAD: %v): the binary carries no commit", err)
	}
	commit := strings.TrimSpace(string(head))
	for _, re := range []string{
		`(?m)^validator (v\S+|dev-[0-9a-f]{12}\S*)$`,
		`(?m)^  commit: +` + commit + `( \(with uncommitted changes\))?$`,
		`(?m)^  date: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(commit time\)$`,
		`(?m)^  go: +go1\.\d+`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("validator version does not match %s:\n%s", re, r.stdout)
		}
	}
}
