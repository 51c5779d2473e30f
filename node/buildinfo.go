package node

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// BuildInfo is what the binary knows of its own build: the module version and
// the VCS stamp `go build` embeds when it builds in a git checkout.
type BuildInfo struct {
	// Version is the module version (a release tag, or a pseudo-version such
	// as v0.0.0-20250102150405-abcdef123456+dirty for a build from a
	// checkout), else "dev".
	Version string
	// Commit is the git revision (vcs.revision), "" if unknown.
	Commit string
	// CommitTime is the commit's time (vcs.time), zero if unknown. Go builds
	// are reproducible and record no build time: this is the closest date.
	CommitTime time.Time
	// Modified: the working tree had uncommitted changes (vcs.modified).
	Modified bool
	// GoVersion is the toolchain that built the binary.
	GoVersion string
}

// ReadBuildInfo reads the running binary's build information.
func ReadBuildInfo() BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return BuildInfo{Version: "dev", GoVersion: runtime.Version()}
	}
	return BuildInfoFrom(bi)
}

// BuildInfoFrom extracts a BuildInfo from what runtime/debug reports.
func BuildInfoFrom(bi *debug.BuildInfo) BuildInfo {
	b := BuildInfo{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				b.CommitTime = t.UTC()
			}
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if b.Version == "" || b.Version == "(devel)" {
		// go run, go test and builds outside a module proxy or checkout.
		b.Version = "dev"
		if b.Commit != "" {
			b.Version = "dev-" + short(b.Commit)
			if b.Modified {
				b.Version += "+dirty"
			}
		}
	}
	if b.GoVersion == "" {
		b.GoVersion = runtime.Version()
	}
	return b
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// String is the multi-line description `validator version` prints.
func (b BuildInfo) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "validator %s\n", b.Version)
	commit := "unknown (not built from a git checkout)"
	if b.Commit != "" {
		commit = b.Commit
		if b.Modified {
			commit += " (with uncommitted changes)"
		}
	}
	fmt.Fprintf(&sb, "  commit:      %s\n", commit)
	date := "unknown"
	if !b.CommitTime.IsZero() {
		date = b.CommitTime.Format(time.RFC3339) + " (commit time)"
	}
	fmt.Fprintf(&sb, "  date:        %s\n", date)
	fmt.Fprintf(&sb, "  go:          %s %s/%s\n", b.GoVersion, runtime.GOOS, runtime.GOARCH)
	return sb.String()
}

// registerBuildInfo registers validator_build_info{version, commit,
// go_version} = 1 on reg; version is what the node reports (Options.Version),
// the rest is read from the binary.
func registerBuildInfo(reg prometheus.Registerer, version string) {
	b := ReadBuildInfo()
	if version == "" {
		version = b.Version
	}
	commit := b.Commit
	if commit == "" {
		commit = "unknown"
	}
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "validator_build_info",
		Help: "Always 1; the labels say which build runs: version, git commit and Go version.",
	}, []string{"version", "commit", "go_version"})
	g.WithLabelValues(version, commit, b.GoVersion).Set(1)
	reg.MustRegister(g)
}
