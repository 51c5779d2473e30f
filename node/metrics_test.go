package node_test

// Keeps docs/metrics.md and deploy/ true against a real node's registry.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"validator/node"
)

const (
	metricsDocPath        = "../docs/metrics.md"
	metricsDashboardPath  = "../deploy/grafana/validator.json"
	metricsAlertsPath     = "../deploy/prometheus/alerts.yml"
	metricsAlertTestsPath = "../deploy/prometheus/alerts_test.yml"
	metricsPromConfigPath = "../deploy/prometheus/prometheus.yml"
	metricsSampleConfig   = "../deploy/config/validator.toml"
)

// metricsSnapshot is what one real node exports: its gathered registry and
// the body of GET /metrics on its API.
type metricsSnapshot struct {
	families []*dto.MetricFamily
	byName   map[string]*dto.MetricFamily
	scraped  string
	err      error
}

var (
	metricsOnce sync.Once
	metricsSnap metricsSnapshot
)

// metricsGather starts a one-validator devnet once per test binary, gathers
// its registry, scrapes its /metrics and stops it again. Every label set is
// pre-initialised, so a freshly started node exports every series it ever
// will (bar API status codes seen later).
func metricsGather(t *testing.T) *metricsSnapshot {
	t.Helper()
	metricsOnce.Do(func() { metricsSnap = metricsStart() })
	if metricsSnap.err != nil {
		t.Fatal(metricsSnap.err)
	}
	return &metricsSnap
}

func metricsStart() (s metricsSnapshot) {
	dir, err := os.MkdirTemp("", "metrics-test-")
	if err != nil {
		return metricsSnapshot{err: err}
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := node.StartDevnet(ctx, node.DevnetOptions{
		Validators: 1, RPCAddr: "127.0.0.1:0", Dir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return metricsSnapshot{err: fmt.Errorf("start devnet: %w", err)}
	}
	defer func() {
		if err := d.Close(context.Background()); err != nil && s.err == nil {
			s.err = fmt.Errorf("close devnet: %w", err)
		}
	}()
	n := d.Nodes[0]
	s.families, s.err = n.Metrics().Gather()
	if s.err != nil {
		return s
	}
	s.byName = map[string]*dto.MetricFamily{}
	for _, mf := range s.families {
		s.byName[mf.GetName()] = mf
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.APIAddr()+"/metrics", nil)
	if err != nil {
		s.err = err
		return s
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.err = fmt.Errorf("scrape /metrics: %w", err)
		return s
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.err = fmt.Errorf("scrape /metrics: status %d, %v", resp.StatusCode, err)
		return s
	}
	s.scraped = string(b)
	return s
}

// labels returns a family's label names and the values gathered for each.
func (s *metricsSnapshot) labels(name string) map[string][]string {
	out := map[string][]string{}
	for _, m := range s.byName[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if !slices.Contains(out[l.GetName()], l.GetValue()) {
				out[l.GetName()] = append(out[l.GetName()], l.GetValue())
			}
		}
	}
	return out
}

// family resolves a series name as PromQL sees it: histogram and summary
// families also answer to _bucket (histograms only), _sum and _count.
func (s *metricsSnapshot) family(series string) (*dto.MetricFamily, bool) {
	if mf, ok := s.byName[series]; ok {
		return mf, true
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		base, ok := strings.CutSuffix(series, suf)
		if !ok {
			continue
		}
		mf, ok := s.byName[base]
		if !ok {
			continue
		}
		switch mf.GetType() {
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			return mf, true
		case dto.MetricType_SUMMARY:
			return mf, suf != "_bucket"
		}
	}
	return nil, false
}

// ---------------------------------------------------------------- docs

// metricsDocEntry is one row of a table in docs/metrics.md.
type metricsDocEntry struct {
	line   int
	typ    string
	labels map[string][]string // label name -> documented values
}

var (
	metricsDocName  = regexp.MustCompile("^`(validator_[a-z0-9_]+)`$")
	metricsDocLabel = regexp.MustCompile("^`([a-zA-Z_][a-zA-Z0-9_]*)`:(.*)$")
)

// metricsParseDoc reads every `validator_*` row of docs/metrics.md:
// | `name` | type | `label`: v1, v2; `label2`: v3 | meaning | alert on |
func metricsParseDoc(t *testing.T) map[string]metricsDocEntry {
	t.Helper()
	b, err := os.ReadFile(metricsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]metricsDocEntry{}
	for i, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		m := metricsDocName.FindStringSubmatch(strings.TrimSpace(cells[0]))
		if m == nil {
			continue
		}
		name := m[1]
		if len(cells) != 5 {
			t.Errorf("docs/metrics.md:%d: %s: %d cells, want 5 (name, type, labels, meaning, alert on)", i+1, name, len(cells))
			continue
		}
		if prev, dup := out[name]; dup {
			t.Errorf("docs/metrics.md:%d: %s already documented on line %d", i+1, name, prev.line)
		}
		e := metricsDocEntry{line: i + 1, typ: strings.TrimSpace(cells[1]), labels: map[string][]string{}}
		if lc := strings.TrimSpace(cells[2]); lc != "—" {
			for _, item := range strings.Split(lc, ";") {
				lm := metricsDocLabel.FindStringSubmatch(strings.TrimSpace(item))
				if lm == nil {
					t.Errorf("docs/metrics.md:%d: %s: label item %q is not \"`name`: value, value\"", i+1, name, strings.TrimSpace(item))
					continue
				}
				var vals []string
				for v := range strings.SplitSeq(lm[2], ",") {
					if v = strings.TrimSpace(v); v != "" {
						vals = append(vals, v)
					}
				}
				e.labels[lm[1]] = vals
			}
		}
		if strings.TrimSpace(cells[3]) == "" || strings.TrimSpace(cells[4]) == "" {
			t.Errorf("docs/metrics.md:%d: %s: meaning and alert-on cells must not be empty", i+1, name)
		}
		out[name] = e
	}
	if len(out) == 0 {
		t.Fatal("docs/metrics.md documents no validator_ metrics")
	}
	return out
}

func metricsTypeName(t dto.MetricType) string {
	return strings.ReplaceAll(strings.ToLower(t.String()), "_", " ")
}

func metricsSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestMetricsDocumented keeps docs/metrics.md equal to what a node registers.
func TestMetricsDocumented(t *testing.T) {
	s := metricsGather(t)
	doc := metricsParseDoc(t)

	var undocumented, unregistered, other []string
	for _, mf := range s.families {
		name := mf.GetName()
		switch {
		case strings.HasPrefix(name, "validator_"):
		case strings.HasPrefix(name, "go_"), strings.HasPrefix(name, "process_"):
			continue // documented as a group
		default:
			other = append(other, name)
			continue
		}
		e, ok := doc[name]
		if !ok {
			undocumented = append(undocumented, fmt.Sprintf("%s (%s, labels %v)", name, metricsTypeName(mf.GetType()), metricsSortedKeys(s.labels(name))))
			continue
		}
		if want := metricsTypeName(mf.GetType()); e.typ != want {
			t.Errorf("docs/metrics.md:%d: %s is documented as %q, registered as %q", e.line, name, e.typ, want)
		}
		got := s.labels(name)
		if g, d := metricsSortedKeys(got), metricsSortedKeys(e.labels); !slices.Equal(g, d) {
			t.Errorf("docs/metrics.md:%d: %s has labels %v, documented %v", e.line, name, g, d)
			continue
		}
		for l, vals := range got {
			for _, v := range vals {
				// "*": the value is not enumerable (validator_build_info).
				if !slices.Contains(e.labels[l], v) && !slices.Equal(e.labels[l], []string{"*"}) {
					t.Errorf("docs/metrics.md:%d: %s{%s=%q} is exported but the value is not documented (documented: %v)", e.line, name, l, v, e.labels[l])
				}
			}
		}
	}
	for _, name := range metricsSortedKeys(doc) {
		if _, ok := s.byName[name]; !ok {
			unregistered = append(unregistered, fmt.Sprintf("%s (docs/metrics.md:%d)", name, doc[name].line))
		}
	}
	if len(undocumented) > 0 {
		t.Errorf("registered but not in docs/metrics.md:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unregistered) > 0 {
		t.Errorf("in docs/metrics.md but not registered:\n  %s", strings.Join(unregistered, "\n  "))
	}
	if len(other) > 0 {
		t.Errorf("families outside validator_*, go_*, process_* (name them validator_<subsystem>_… or document the new group): %v", other)
	}
	b, err := os.ReadFile(metricsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, group := range []string{"`go_*`", "`process_*`"} {
		if !strings.Contains(string(b), group) {
			t.Errorf("docs/metrics.md does not document the %s group", group)
		}
	}
}

// TestMetricsLint runs promlint over everything a node registers.
func TestMetricsLint(t *testing.T) {
	s := metricsGather(t)
	problems, err := promlint.NewWithMetricFamilies(s.families).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestMetricsServed checks that GET /metrics on the API, what
// deploy/prometheus/prometheus.yml scrapes, serves the node's registry.
func TestMetricsServed(t *testing.T) {
	s := metricsGather(t)
	for _, mf := range s.families {
		line := fmt.Sprintf("# TYPE %s %s\n", mf.GetName(), strings.ToLower(mf.GetType().String()))
		if !strings.Contains(s.scraped, line) {
			t.Errorf("GET /metrics lacks %q", strings.TrimSpace(line))
		}
	}
}

// ---------------------------------------------------------------- PromQL

// metricsSelector is one vector selector in a PromQL expression.
type metricsSelector struct {
	name     string
	matchers []metricsMatcher
}

type metricsMatcher struct{ label, op, value string }

var (
	metricsIdent    = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*`)
	metricsNumber   = regexp.MustCompile(`^[0-9.][0-9a-zA-Z_.]*`)
	metricsVariable = regexp.MustCompile(`^\$(\{[^}]*\}|[a-zA-Z0-9_]+)`)
	metricsMatchRe  = regexp.MustCompile(`^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`" + `)\s*,?`)
	// Keywords that are not metric names; the grouping ones take a label list.
	metricsKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true, "inf": true, "nan": true, "atan2": true}
	metricsGrouping = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true}
	// sum by (x) (...): an aggregation whose modifier comes first.
	metricsAggregationModifier = regexp.MustCompile(`^(by|without)\s*\(`)
)

// metricsSelectors extracts the vector selectors of a PromQL expression (with
// Grafana variables): enough of a lexer to tell metric names from functions,
// keywords, grouping labels, strings, numbers and durations.
func metricsSelectors(expr string) ([]metricsSelector, error) {
	var out []metricsSelector
	s := expr
	lastWasName := false
	skipSpace := func() { s = strings.TrimLeft(s, " \t\r\n") }
	for {
		skipSpace()
		if s == "" {
			return out, nil
		}
		switch c := s[0]; {
		case c == '#':
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i:]
			} else {
				s = ""
			}
		case c == '"' || c == '\'' || c == '`':
			end := 1
			for end < len(s) && s[end] != c {
				if s[end] == '\\' && c != '`' {
					end++
				}
				end++
			}
			if end >= len(s) {
				return nil, fmt.Errorf("unterminated string in %q", expr)
			}
			s = s[end+1:]
			lastWasName = false
		case c == '$':
			m := metricsVariable.FindString(s)
			if m == "" {
				return nil, fmt.Errorf("stray $ in %q", expr)
			}
			s = s[len(m):]
		case c == '[':
			i := strings.IndexByte(s, ']')
			if i < 0 {
				return nil, fmt.Errorf("unterminated range in %q", expr)
			}
			s = s[i+1:]
			lastWasName = false
		case c == '{':
			s = s[1:]
			var ms []metricsMatcher
			for {
				skipSpace()
				if strings.HasPrefix(s, "}") {
					s = s[1:]
					break
				}
				m := metricsMatchRe.FindStringSubmatch(s)
				if m == nil {
					return nil, fmt.Errorf("cannot parse label matchers at %q in %q", s, expr)
				}
				v := m[3][1 : len(m[3])-1]
				if m[3][0] != '`' {
					v = strings.ReplaceAll(v, `\\`, `\`)
				}
				ms = append(ms, metricsMatcher{m[1], m[2], v})
				s = s[len(m[0]):]
			}
			if lastWasName {
				out[len(out)-1].matchers = ms
			} else {
				sel := metricsSelector{matchers: ms}
				for _, m := range ms {
					if m.label == "__name__" && m.op == "=" {
						sel.name = m.value
					}
				}
				if sel.name == "" {
					return nil, fmt.Errorf("selector without a metric name in %q", expr)
				}
				out = append(out, sel)
			}
			lastWasName = false
		case metricsNumber.MatchString(s):
			s = s[len(metricsNumber.FindString(s)):]
			lastWasName = false
		case metricsIdent.MatchString(s):
			id := metricsIdent.FindString(s)
			s = s[len(id):]
			rest := strings.TrimLeft(s, " \t\r\n")
			switch {
			case metricsGrouping[id]:
				if strings.HasPrefix(rest, "(") {
					i := strings.IndexByte(rest, ')')
					if i < 0 {
						return nil, fmt.Errorf("unterminated %s list in %q", id, expr)
					}
					s = rest[i+1:]
				}
				lastWasName = false
			case metricsKeywords[id], strings.HasPrefix(rest, "("), metricsAggregationModifier.MatchString(rest):
				lastWasName = false // a keyword, function or aggregation
			default:
				out = append(out, metricsSelector{name: id})
				lastWasName = true
			}
		default:
			s = s[1:] // operators, parentheses, commas
			lastWasName = false
		}
	}
}

// metricsSyntheticSeries are series Prometheus makes itself for each target.
var metricsSyntheticSeries = map[string]bool{"up": true}

// metricsTargetLabels are attached by Prometheus at scrape time.
var metricsTargetLabels = map[string]bool{"job": true, "instance": true, "network": true}

var metricsSimpleAlternation = regexp.MustCompile(`^[a-zA-Z0-9_/{}.]+(\|[a-zA-Z0-9_/{}.]+)*$`)

// metricsCheckExpr reports every selector of expr that names a series the
// node does not export, or matches a label it does not have, or a label value
// docs/metrics.md does not list.
func metricsCheckExpr(s *metricsSnapshot, doc map[string]metricsDocEntry, expr string) []string {
	sels, err := metricsSelectors(expr)
	if err != nil {
		return []string{err.Error()}
	}
	if len(sels) == 0 {
		return []string{fmt.Sprintf("no metric in %q", expr)}
	}
	var probs []string
	for _, sel := range sels {
		if metricsSyntheticSeries[sel.name] {
			continue
		}
		mf, ok := s.family(sel.name)
		if !ok {
			probs = append(probs, fmt.Sprintf("%s is not registered", sel.name))
			continue
		}
		labels := s.labels(mf.GetName())
		for _, m := range sel.matchers {
			if m.label == "__name__" || metricsTargetLabels[m.label] || (m.label == "le" && strings.HasSuffix(sel.name, "_bucket")) {
				continue
			}
			if _, ok := labels[m.label]; !ok {
				probs = append(probs, fmt.Sprintf("%s has no label %q (labels: %v)", mf.GetName(), m.label, metricsSortedKeys(labels)))
				continue
			}
			e, documented := doc[mf.GetName()]
			if !documented || strings.Contains(m.value, "$") {
				continue
			}
			var vals []string
			switch {
			case m.op == "=" || m.op == "!=":
				vals = []string{m.value}
			case metricsSimpleAlternation.MatchString(m.value):
				vals = strings.Split(m.value, "|")
			}
			for _, v := range vals {
				if !slices.Contains(e.labels[m.label], v) {
					probs = append(probs, fmt.Sprintf("%s{%s=%q}: value not in docs/metrics.md (%v)", mf.GetName(), m.label, v, e.labels[m.label]))
				}
			}
		}
	}
	return probs
}

// metricsNames lists the series names of expr, for coverage checks.
func metricsNames(t *testing.T, expr string) []string {
	t.Helper()
	sels, err := metricsSelectors(expr)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range sels {
		out = append(out, s.name)
	}
	return out
}

func TestMetricsPromQLSelectors(t *testing.T) {
	for expr, want := range map[string][]string{
		`up == 0`: {"up"},
		`sum by (topic, result) (rate(validator_p2p_messages_total{job=~"$job", result=~"a|b"}[$__rate_interval]))`:                  {"validator_p2p_messages_total"},
		`histogram_quantile(0.99, sum by (le) (rate(x_bucket{instance=~"${instance}"}[5m]))) > bool 1e-3 offset 5m`:                  {"x_bucket"},
		`a / on (instance) group_left (state) b unless c{d="}{"} or {__name__="e"}`:                                                  {"a", "b", "c", "e"},
		"clamp_max(validator_chain_registry_nodes - 1, 3)\nand validator_p2p_peers > 0 # comment with names_in_it":                   {"validator_chain_registry_nodes", "validator_p2p_peers"},
		`sum without (kind) (rate(a[5m])) / max by (instance) (b)`:                                                                   {"a", "b"},
		`time() - process_start_time_seconds{job=~"$job"}`:                                                                           {"process_start_time_seconds"},
		`sum without (kind) (increase(validator_store_write_errors_total[10m:1m]))`:                                                  {"validator_store_write_errors_total"},
		`count by (instance) (validator_liveness_peers{state!~"unknown"}) * on (instance) group_right () validator_chain_head_block`: {"validator_liveness_peers", "validator_chain_head_block"},
	} {
		got := metricsNames(t, expr)
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", expr, got, want)
		}
	}
	if _, err := metricsSelectors(`foo{bar}`); err == nil {
		t.Error("foo{bar}: no error")
	}
}

// ---------------------------------------------------------------- dashboard

// metricsDashboardPanels flattens panels, including those inside collapsed rows.
func metricsDashboardPanels(ps []any) []map[string]any {
	var out []map[string]any
	for _, p := range ps {
		m, ok := p.(map[string]any)
		if !ok {
			continue
		}
		out = append(out, m)
		if inner, ok := m["panels"].([]any); ok {
			out = append(out, metricsDashboardPanels(inner)...)
		}
	}
	return out
}

const metricsDatasource = "${DS_PROMETHEUS}"

// TestDashboardMetrics checks deploy/grafana/validator.json: well-formed, every
// panel on the ${DS_PROMETHEUS} data source, every metric and label value in
// its queries exported by a node, and the required views present.
func TestDashboardMetrics(t *testing.T) {
	s := metricsGather(t)
	doc := metricsParseDoc(t)
	b, err := os.ReadFile(metricsDashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash map[string]any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s: %v", metricsDashboardPath, err)
	}
	if v, _ := dash["schemaVersion"].(float64); v < 36 {
		t.Errorf("schemaVersion %v, want >= 36", dash["schemaVersion"])
	}
	for _, k := range []string{"title", "uid"} {
		if v, _ := dash[k].(string); v == "" {
			t.Errorf("dashboard has no %s", k)
		}
	}

	var exprs []string
	// Templating: the data source variable and the query variables.
	tmpl, _ := dash["templating"].(map[string]any)
	vars, _ := tmpl["list"].([]any)
	hasDS := false
	for _, v := range vars {
		m, _ := v.(map[string]any)
		switch m["type"] {
		case "datasource":
			if m["name"] == strings.Trim(metricsDatasource, "${}") && m["query"] == "prometheus" {
				hasDS = true
			}
		case "query":
			q := m["query"]
			if qm, ok := q.(map[string]any); ok {
				q = qm["query"]
			}
			qs, _ := q.(string)
			inner, ok := strings.CutPrefix(qs, "label_values(")
			if !ok {
				t.Errorf("variable %v: query %q is not label_values(...)", m["name"], qs)
				continue
			}
			sel, label, _ := strings.Cut(strings.TrimSuffix(inner, ")"), ", ")
			if _, ok := s.family(strings.SplitN(sel, "{", 2)[0]); !ok || !metricsTargetLabels[label] {
				t.Errorf("variable %v: %q needs an exported metric and a target label", m["name"], qs)
			}
			exprs = append(exprs, sel)
		}
	}
	if !hasDS {
		t.Errorf("no data source variable %s of type prometheus", metricsDatasource)
	}

	top, _ := dash["panels"].([]any)
	panels := metricsDashboardPanels(top)
	ids := map[float64]bool{}
	queried := 0
	for _, p := range panels {
		title, _ := p["title"].(string)
		id, _ := p["id"].(float64)
		if ids[id] {
			t.Errorf("panel %q: duplicate id %v", title, id)
		}
		ids[id] = true
		if title == "" {
			t.Errorf("panel %v has no title", id)
		}
		if _, ok := p["gridPos"].(map[string]any); !ok {
			t.Errorf("panel %q has no gridPos", title)
		}
		if p["type"] == "row" {
			continue
		}
		if ds, _ := p["datasource"].(map[string]any); ds["uid"] != metricsDatasource {
			t.Errorf("panel %q: datasource %v, want uid %s", title, p["datasource"], metricsDatasource)
		}
		targets, _ := p["targets"].([]any)
		if len(targets) == 0 {
			t.Errorf("panel %q has no queries", title)
		}
		for _, tg := range targets {
			tm, _ := tg.(map[string]any)
			expr, _ := tm["expr"].(string)
			if expr == "" {
				t.Errorf("panel %q: a query has no expr", title)
				continue
			}
			if ds, _ := tm["datasource"].(map[string]any); ds != nil && ds["uid"] != metricsDatasource {
				t.Errorf("panel %q: query datasource %v, want uid %s", title, ds, metricsDatasource)
			}
			for _, p := range metricsCheckExpr(s, doc, expr) {
				t.Errorf("panel %q: %s", title, p)
			}
			exprs = append(exprs, expr)
			queried++
		}
	}
	if queried == 0 {
		t.Fatal("dashboard has no queries")
	}

	used := map[string]bool{}
	for _, e := range exprs {
		for _, n := range metricsNames(t, e) {
			used[n] = true
		}
	}
	for _, want := range []string{
		"validator_p2p_peers", "validator_p2p_connections_refused_total", "validator_p2p_handshakes_total",
		"validator_chain_registry_block", "validator_chain_head_block", "validator_chain_sync_errors_total",
		"validator_chain_snapshots_total", "validator_chain_registry_nodes",
		"validator_p2p_messages_total", "validator_p2p_published_total", "validator_p2p_received_bytes_total", "validator_p2p_published_bytes_total",
		"validator_p2p_validation_duration_seconds_bucket", "validator_liveness_peers",
		"validator_p2p_ping_rtt_seconds_bucket", "validator_p2p_pings_total",
		"validator_store_writes_total", "validator_evidence_write_errors_total", "validator_store_write_errors_total", "validator_store_size_bytes",
		"validator_reputation_score_bucket", "validator_api_requests_total", "validator_api_sse_clients",
	} {
		if !used[want] {
			t.Errorf("dashboard does not show %s", want)
		}
	}
	if !strings.Contains(string(b), `"format": "heatmap"`) {
		t.Error("validator_reputation_score buckets should be shown with format heatmap (per-bucket counts)")
	}
}

// ---------------------------------------------------------------- alerts

type metricsRuleFile struct {
	Groups []struct {
		Name     string `yaml:"name"`
		Interval string `yaml:"interval"`
		Rules    []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func metricsDecodeYAML(t *testing.T, path string, v any) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// metricsIgnoreResults are the validator_p2p_messages_total results that are
// not rejections (p2p: Accept and Ignore verdicts).
var metricsIgnoreResults = []string{"ok", "oversized", "too_large_decompressed", "stale", "future", "unknown_sender", "not_coordinator", "rate_limited", "ignored_payload"}

// metricsRequirePromtool, set to 1 (as CI does), makes a missing promtool
// fail the alert tests instead of skipping promtool's checks.
const metricsRequirePromtool = "VALIDATOR_REQUIRE_PROMTOOL"

// metricsPromtool runs promtool with args in dir, if it is installed.
func metricsPromtool(t *testing.T, dir string, args ...string) {
	t.Helper()
	bin, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv(metricsRequirePromtool) == "1" {
			t.Fatalf("promtool not on PATH and %s=1: install it (Debian: apt-get install prometheus) to run promtool %s", metricsRequirePromtool, strings.Join(args, " "))
		}
		t.Logf("promtool not on PATH; skipped promtool %s (install the Debian package prometheus)", strings.Join(args, " "))
		return
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestAlertRules checks deploy/prometheus/alerts.yml: structure, severities,
// annotations, metric names and label values against a node's registry and
// docs/metrics.md, the reject-rate alert against the exported rejection
// reasons, and promtool's checks and unit tests when promtool is installed.
func TestAlertRules(t *testing.T) {
	s := metricsGather(t)
	doc := metricsParseDoc(t)
	var rf metricsRuleFile
	metricsDecodeYAML(t, metricsAlertsPath, &rf)

	alerts := map[string]string{} // name -> expr
	for _, g := range rf.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: needs a name and rules", g.Name)
		}
		for _, r := range g.Rules {
			if r.Alert == "" {
				t.Errorf("group %s: a rule without alert: %q (recording rules belong elsewhere)", g.Name, r.Expr)
				continue
			}
			if _, dup := alerts[r.Alert]; dup {
				t.Errorf("alert %s defined twice", r.Alert)
			}
			alerts[r.Alert] = r.Expr
			if !regexp.MustCompile(`^Validator[A-Z][A-Za-z]+$`).MatchString(r.Alert) {
				t.Errorf("alert %s: name it Validator<CamelCase>", r.Alert)
			}
			if r.For != "" {
				if _, err := time.ParseDuration(r.For); err != nil {
					t.Errorf("alert %s: for %q: %v", r.Alert, r.For, err)
				}
			}
			if sev := r.Labels["severity"]; !slices.Contains([]string{"critical", "warning", "info"}, sev) {
				t.Errorf("alert %s: severity %q, want critical, warning or info", r.Alert, sev)
			}
			for _, a := range []string{"summary", "description"} {
				if strings.TrimSpace(r.Annotations[a]) == "" {
					t.Errorf("alert %s: no %s annotation", r.Alert, a)
				}
			}
			if !strings.Contains(r.Annotations["summary"], "$labels.instance") {
				t.Errorf("alert %s: summary should name {{ $labels.instance }}", r.Alert)
			}
			for _, p := range metricsCheckExpr(s, doc, r.Expr) {
				t.Errorf("alert %s: %s", r.Alert, p)
			}
		}
	}

	for _, want := range []string{
		"ValidatorDown", "ValidatorNoPeers", "ValidatorNotReady", "ValidatorFewPeers", "ValidatorRegistryStalled", "ValidatorRegistrySyncFailing",
		"ValidatorManyPeersOffline", "ValidatorHighGossipRejectRate", "ValidatorEvidenceWriteErrors",
	} {
		if _, ok := alerts[want]; !ok {
			t.Errorf("alerts.yml has no %s", want)
		}
	}

	// The reject-rate alert counts exactly the Reject results.
	if expr, ok := alerts["ValidatorHighGossipRejectRate"]; ok {
		var want []string
		for _, v := range s.labels("validator_p2p_messages_total")["result"] {
			if !slices.Contains(metricsIgnoreResults, v) {
				want = append(want, v)
			}
		}
		var got []string
		sels, err := metricsSelectors(expr)
		if err != nil {
			t.Fatal(err)
		}
		for _, sel := range sels {
			for _, m := range sel.matchers {
				if m.label == "result" && m.op == "=~" {
					got = append(got, strings.Split(m.value, "|")...)
				}
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("ValidatorHighGossipRejectRate counts results %v, the rejections are %v (a new reason? add it to the alert, or to metricsIgnoreResults if it is an Ignore)", got, want)
		}
	}

	// docs/metrics.md names alerts in its "alert on" column; both must agree.
	b, err := os.ReadFile(metricsDocPath)
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`(Validator[A-Z][A-Za-z]+)`").FindAllStringSubmatch(string(b), -1) {
		named[m[1]] = true
	}
	for _, n := range metricsSortedKeys(named) {
		if _, ok := alerts[n]; !ok {
			t.Errorf("docs/metrics.md names alert %s, which alerts.yml does not define", n)
		}
	}
	for _, n := range metricsSortedKeys(alerts) {
		if !named[n] {
			t.Errorf("alert %s is not mentioned in docs/metrics.md", n)
		}
	}

	dir := filepath.Dir(metricsAlertsPath)
	metricsPromtool(t, dir, "check", "rules", filepath.Base(metricsAlertsPath))
	metricsPromtool(t, dir, "test", "rules", filepath.Base(metricsAlertTestsPath))
}

// TestDeployPrometheusConfig checks deploy/prometheus/prometheus.yml: rule
// files exist, the single node and the four devnet validators are scraped on
// the API's /metrics, and promtool accepts it when installed.
func TestDeployPrometheusConfig(t *testing.T) {
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	b, err := os.ReadFile(metricsPromConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(metricsPromConfigPath)
	if !slices.Contains(cfg.RuleFiles, filepath.Base(metricsAlertsPath)) {
		t.Errorf("rule_files %v does not load alerts.yml", cfg.RuleFiles)
	}
	for _, f := range cfg.RuleFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("rule file %s: %v", f, err)
		}
	}
	jobs := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
			t.Errorf("job %s: metrics_path %q, the API serves /metrics", sc.JobName, sc.MetricsPath)
		}
		for _, st := range sc.StaticConfigs {
			jobs[sc.JobName] = append(jobs[sc.JobName], st.Targets...)
		}
	}
	def := node.DefaultConfig().API.Listen
	if !slices.Equal(jobs["validator"], []string{def}) {
		t.Errorf("job validator scrapes %v, want the default api.listen %s", jobs["validator"], def)
	}
	if want := []string{"127.0.0.1:7400", "127.0.0.1:7401", "127.0.0.1:7402", "127.0.0.1:7403"}; !slices.Equal(jobs["validator-devnet"], want) {
		t.Errorf("job validator-devnet scrapes %v, want %v", jobs["validator-devnet"], want)
	}
	// ValidatorDown must watch every job defined here.
	var rf metricsRuleFile
	metricsDecodeYAML(t, metricsAlertsPath, &rf)
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Alert != "ValidatorDown" {
				continue
			}
			for job := range jobs {
				if !regexp.MustCompile(`\b` + regexp.QuoteMeta(job) + `\b`).MatchString(r.Expr) {
					t.Errorf("ValidatorDown (%s) does not cover job %s", r.Expr, job)
				}
			}
		}
	}
	metricsPromtool(t, dir, "check", "config", filepath.Base(metricsPromConfigPath))
}

// ---------------------------------------------------------------- config

// TestDeployConfig loads deploy/config/validator.toml with node.LoadConfig and
// checks that it is valid, resolves to a network, raises no warnings, and
// that every key it sets differs from the default and has a comment.
func TestDeployConfig(t *testing.T) {
	cfg, err := node.LoadConfig(node.ConfigSources{File: metricsSampleConfig})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := node.ResolveNetwork(cfg.Chain); err != nil {
		t.Fatal(err)
	}
	if ws := cfg.Warnings(); len(ws) > 0 {
		t.Errorf("the sample production config raises warnings: %v", ws)
	}

	b, err := os.ReadFile(metricsSampleConfig)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]map[string]any
	if err := toml.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	asMap := func(c node.Config) map[string]map[string]any {
		enc, err := toml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]map[string]any
		if err := toml.Unmarshal(enc, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	got, def := asMap(cfg), asMap(node.DefaultConfig())
	for sec, keys := range file {
		for k := range keys {
			if reflect.DeepEqual(got[sec][k], def[sec][k]) {
				t.Errorf("%s.%s = %v is the default; leave it out (the sample lists changes only)", sec, k, got[sec][k])
			}
		}
	}

	// Every key line is commented: a comment on the line before, or after the value.
	keyLine := regexp.MustCompile(`^\s*[a-z_]+\s*=`)
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if !keyLine.MatchString(l) {
			continue
		}
		if strings.Contains(l, "#") || (i > 0 && strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#")) {
			continue
		}
		t.Errorf("%s:%d: %q has no comment saying why it differs from the default", metricsSampleConfig, i+1, strings.TrimSpace(l))
	}
}
