// Package deploy_test checks the packaging in deploy/: the systemd unit, the
// local cluster's compose file, its keys and its Prometheus and Grafana
// files. The image itself is built and run by scripts/test-packaging.sh.
package deploy_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"gopkg.in/yaml.v3"

	"validator/chain"
	"validator/node"
)

const (
	unitPath    = "systemd/validator.service"
	composePath = "compose/docker-compose.yml"
	composeN    = 3
)

// require skips the test when tool is not on PATH, or fails it when the
// environment variable env is 1 (CI).
func require(t *testing.T, tool, env string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv(env) == "1" {
			t.Fatalf("%s not on PATH and %s=1", tool, env)
		}
		t.Skipf("%s not on PATH (%s=1 makes this a failure)", tool, env)
	}
	return p
}

// unit parses a systemd unit: section → key → values (a key may repeat).
func unit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := map[string]map[string][]string{}
	sec := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			sec = line[1 : len(line)-1]
			u[sec] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || sec == "" {
				t.Fatalf("%s line %d: not key=value in a section: %q", path, n, line)
			}
			u[sec][k] = append(u[sec][k], v)
		}
	}
	return u
}

// TestSystemdUnit checks the unit's restart policy, user, hardening, state
// directory, secrets and file-descriptor limit, and runs systemd-analyze
// verify on it where systemd-analyze is installed.
func TestSystemdUnit(t *testing.T) {
	u := unit(t, unitPath)
	svc := u["Service"]
	if svc == nil {
		t.Fatal("no [Service] section")
	}
	last := func(k string) string {
		if v := svc[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return ""
	}
	for k, want := range map[string]string{
		"Restart":                 "on-failure",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"NoNewPrivileges":         "yes",
		"PrivateTmp":              "yes",
		"PrivateDevices":          "yes",
		"ProtectKernelTunables":   "yes",
		"ProtectKernelModules":    "yes",
		"ProtectKernelLogs":       "yes",
		"ProtectControlGroups":    "yes",
		"CapabilityBoundingSet":   "",
		"StateDirectory":          "validator",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX AF_NETLINK",
	} {
		if _, ok := svc[k]; !ok {
			t.Errorf("[Service] has no %s= (want %q)", k, want)
		} else if got := last(k); got != want {
			t.Errorf("[Service] %s=%q, want %q", k, got, want)
		}
	}
	if last("DynamicUser") != "yes" && last("User") == "" {
		t.Error("[Service] runs as root: want DynamicUser=yes or User=")
	}
	if !strings.Contains(last("ExecStart"), " start ") {
		t.Errorf("ExecStart=%q does not run validator start", last("ExecStart"))
	}
	// The store goes to the state directory, the node key comes as a credential.
	env := strings.Join(svc["Environment"], " ")
	for _, want := range []string{"VALIDATOR_STORE_DATA_DIR=/var/lib/validator", "VALIDATOR_KEYS_NODE_KEY=%d/node.key"} {
		if !strings.Contains(env, want) {
			t.Errorf("[Service] Environment= lacks %s", want)
		}
	}
	if !strings.Contains(strings.Join(svc["LoadCredential"], " "), "node.key:/etc/validator/node.key") {
		t.Error("[Service] does not load the node key with LoadCredential=node.key:/etc/validator/node.key")
	}

	// LimitNOFILE: a quarter (libp2p's transient scope) must hold the
	// connections of network.max_connections, 1.25 × max + 4 established and
	// 64 in handshake, for the default and the shipped example config, with
	// 2048 left for the store and the rest.
	limit, err := strconv.Atoi(last("LimitNOFILE"))
	if err != nil {
		t.Fatalf("LimitNOFILE=%q: %v", last("LimitNOFILE"), err)
	}
	example, err := node.LoadConfig(node.ConfigSources{File: "config/validator.toml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, mc := range []int{node.DefaultConfig().Network.MaxConnections, example.Network.MaxConnections} {
		if need := 4*(mc+mc/4+4+64) + 2048; limit < need {
			t.Errorf("LimitNOFILE=%d is below %d, what network.max_connections=%d needs", limit, need, mc)
		}
	}

	sa := require(t, "systemd-analyze", "VALIDATOR_REQUIRE_SYSTEMD")
	// verify wants ExecStart's binary to exist: point it at this test binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "validator.service")
	if err := os.WriteFile(tmp, bytes.ReplaceAll(b, []byte("/usr/local/bin/validator"), []byte(self)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sa, "verify", tmp).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
	}
}

type composeService struct {
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

// TestComposeFile checks the local cluster: docker-compose validates it, geth
// is pinned, the registry is deployed from the devnet deployer, the
// validators run the published devnet keys, Prometheus gets the shipped alert
// rules and Grafana the shipped dashboard.
func TestComposeFile(t *testing.T) {
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("parse %s: %v", composePath, err)
	}
	svc := func(name string) composeService {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("%s has no service %s", composePath, name)
		}
		return s
	}
	if g := svc("geth"); g.Image != "ethereum/client-go:v1.16.7" || !contains(g.Command, "--dev") {
		t.Errorf("geth: image %q command %q, want ethereum/client-go:v1.16.7 --dev", g.Image, g.Command)
	}
	if d := svc("deploy"); !reflect.DeepEqual(d.Command[:3], []string{"registry", "deploy", "--devnet-deployer"}) {
		t.Errorf("deploy runs %q, want registry deploy --devnet-deployer", d.Command)
	}
	// fund sends ETH to the deployer and to each operator.
	fund := strings.Join(svc("fund").Command, " ")
	want := []string{crypto.PubkeyToAddress(chain.DevnetDeployerKey.PublicKey).Hex()}
	for i := range composeN {
		want = append(want, crypto.PubkeyToAddress(chain.DevnetOperatorKey(i).PublicKey).Hex())
	}
	for _, a := range want {
		if !strings.Contains(fund, a) {
			t.Errorf("fund does not send to %s", a)
		}
	}
	for i := range composeN {
		v := svc(fmt.Sprintf("validator-%d", i))
		if !reflect.DeepEqual(v.Command, []string{"start"}) || v.Environment["VALIDATOR_CHAIN_NETWORK"] != "devnet" {
			t.Errorf("validator-%d: command %q network %q, want start on devnet", i, v.Command, v.Environment["VALIDATOR_CHAIN_NETWORK"])
		}
		keys := fmt.Sprintf("./keys/validator-%d:/keys:ro", i)
		if !contains(v.Volumes, keys) || !contains(svc(fmt.Sprintf("register-%d", i)).Volumes, keys) {
			t.Errorf("validator-%d or register-%d does not mount %s", i, i, keys)
		}
	}
	p := svc("prometheus")
	for _, m := range []string{"../prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro", "./prometheus.yml:/etc/prometheus/prometheus.yml:ro"} {
		if !contains(p.Volumes, m) {
			t.Errorf("prometheus does not mount %s", m)
		}
	}
	if !contains(svc("grafana").Volumes, "../grafana/validator.json:/var/lib/grafana/dashboards/validator.json:ro") {
		t.Error("grafana does not mount the shipped dashboard")
	}

	dc := require(t, "docker-compose", "VALIDATOR_REQUIRE_DOCKER")
	if out, err := exec.Command(dc, "-f", composePath, "config", "-q").CombinedOutput(); err != nil {
		t.Errorf("docker-compose -f %s config: %v\n%s", composePath, err, out)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestComposeKeys: the cluster's key files are the published devnet keys
// the fund service pays, and the keystores open with keys/passphrase.
func TestComposeKeys(t *testing.T) {
	pass, err := os.ReadFile("compose/keys/passphrase")
	if err != nil {
		t.Fatal(err)
	}
	for i := range composeN {
		dir := fmt.Sprintf("compose/keys/validator-%d", i)
		nk, err := crypto.LoadECDSA(filepath.Join(dir, "node.key"))
		if err != nil {
			t.Fatal(err)
		}
		if want := hex.EncodeToString(crypto.FromECDSA(chain.DevnetNodeKey(i))); hex.EncodeToString(crypto.FromECDSA(nk)) != want {
			t.Errorf("%s/node.key is not chain.DevnetNodeKey(%d)", dir, i)
		}
		ks, err := os.ReadFile(filepath.Join(dir, "operator.json"))
		if err != nil {
			t.Fatal(err)
		}
		k, err := keystore.DecryptKey(ks, strings.TrimRight(string(pass), "\n"))
		if err != nil {
			t.Fatalf("%s/operator.json with compose/keys/passphrase: %v", dir, err)
		}
		if k.Address != crypto.PubkeyToAddress(chain.DevnetOperatorKey(i).PublicKey) {
			t.Errorf("%s/operator.json holds %s, not chain.DevnetOperatorKey(%d)", dir, k.Address, i)
		}
	}
}

// TestComposePrometheus: the cluster's scrape config is the shipped one's
// validator-devnet job (the name alerts.yml matches) pointed at the three
// containers, and promtool accepts it with the shipped rules.
func TestComposePrometheus(t *testing.T) {
	type cfg struct {
		Global        map[string]string `yaml:"global"`
		RuleFiles     []string          `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName        string `yaml:"job_name"`
			MetricsPath    string `yaml:"metrics_path"`
			ScrapeInterval string `yaml:"scrape_interval"`
			StaticConfigs  []struct {
				Targets []string          `yaml:"targets"`
				Labels  map[string]string `yaml:"labels"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	read := func(p string) cfg {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c cfg
		if err := yaml.Unmarshal(b, &c); err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		return c
	}
	shipped, cluster := read("prometheus/prometheus.yml"), read("compose/prometheus.yml")
	if !reflect.DeepEqual(shipped.Global, cluster.Global) || !reflect.DeepEqual(shipped.RuleFiles, cluster.RuleFiles) {
		t.Errorf("compose/prometheus.yml global %v rule_files %v, want the shipped %v %v", cluster.Global, cluster.RuleFiles, shipped.Global, shipped.RuleFiles)
	}
	if len(cluster.ScrapeConfigs) != 1 {
		t.Fatalf("compose/prometheus.yml has %d jobs, want 1 (validator-devnet)", len(cluster.ScrapeConfigs))
	}
	job := cluster.ScrapeConfigs[0]
	for _, sj := range shipped.ScrapeConfigs {
		if sj.JobName == job.JobName {
			if sj.MetricsPath != job.MetricsPath || sj.ScrapeInterval != job.ScrapeInterval || !reflect.DeepEqual(sj.StaticConfigs[0].Labels, job.StaticConfigs[0].Labels) {
				t.Errorf("compose/prometheus.yml job %s differs from the shipped one beyond its targets", job.JobName)
			}
		}
	}
	if job.JobName != "validator-devnet" {
		t.Errorf("job %q, want the shipped validator-devnet (alerts.yml matches it)", job.JobName)
	}
	var want []string
	for i := range composeN {
		want = append(want, fmt.Sprintf("validator-%d:7400", i))
	}
	if len(job.StaticConfigs) != 1 || !reflect.DeepEqual(job.StaticConfigs[0].Targets, want) {
		t.Errorf("targets %v, want %v", job.StaticConfigs, want)
	}
	// The Grafana data source is that Prometheus, by the compose service name.
	ds, err := os.ReadFile("compose/grafana/datasources.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\s+url: http://prometheus:9090$`).Match(ds) {
		t.Error("compose/grafana/datasources.yml does not point at http://prometheus:9090")
	}

	pt := require(t, "promtool", "VALIDATOR_REQUIRE_PROMTOOL")
	dir := t.TempDir()
	for src, dst := range map[string]string{"compose/prometheus.yml": "prometheus.yml", "prometheus/alerts.yml": "alerts.yml"} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(pt, "check", "config", "prometheus.yml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check config compose/prometheus.yml: %v\n%s", err, out)
	}
}
