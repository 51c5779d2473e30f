// Package testutil holds test helpers shared by several packages' tests.
package testutil

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// LogBuffer is a goroutine-safe log sink.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Lines returns the log lines, trimmed, that contain every one of parts.
func (l *LogBuffer) Lines(parts ...string) []string {
	var out []string
	for line := range strings.Lines(l.String()) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// Metric is the value of the counter or gauge name in g with label=value
// (label "": the first series), or -1 if there is no such series.
func Metric(t testing.TB, g prometheus.Gatherer, name, label, value string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := label == ""
			for _, lp := range m.GetLabel() {
				match = match || (lp.GetName() == label && lp.GetValue() == value)
			}
			if !match {
				continue
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

// DocStates reads the document at path and returns a check that it states s
// verbatim, white space aside (documents break long hex over lines), and
// reports what is missing as an error of t.
func DocStates(t testing.TB, path string) func(what, s string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(b)), "")
	return func(what, s string) {
		t.Helper()
		if !strings.Contains(doc, strings.Join(strings.Fields(s), "")) {
			t.Errorf("%s does not state the %s: %s", path, what, s)
		}
	}
}
