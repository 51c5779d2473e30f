package api

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"validator/internal/settings"
)

// Section is the [api] section of validator.toml.
type Section struct {
	Listen       string `toml:"listen" comment:"Address of the local API; keep it on loopback."`
	MinPeers     int    `toml:"min_peers" comment:"/readyz needs at least this many connected registered peers."`
	MaxBodyBytes int64  `toml:"max_body_bytes" comment:"Largest request body (publish) accepted."`
}

// DefaultSection holds the defaults of [api].
func DefaultSection() Section {
	return Section{Listen: DefaultListen, MinPeers: 1, MaxBodyBytes: DefaultMaxBodyBytes}
}

// Config is the server's configuration from the section; stallAfter is
// chain.stall_after, which /readyz applies.
func (s Section) Config(stallAfter time.Duration) Config {
	return Config{Listen: s.Listen, MinPeers: s.MinPeers, StallAfter: stallAfter, MaxBodyBytes: s.MaxBodyBytes}
}

// Problems reports every invalid value of [api] under its dotted key.
// api.min_peers is bounded by network.target_peers, which the loader checks.
func (s Section) Problems() settings.Problems {
	var ps settings.Problems
	def := DefaultSection()
	if host, port, err := net.SplitHostPort(s.Listen); err != nil {
		ps.Add("api.listen", "%q is not host:port; write e.g. %q", s.Listen, def.Listen)
	} else if _, err := strconv.ParseUint(port, 10, 16); err != nil || strings.ContainsAny(host, " /") {
		ps.Add("api.listen", "%q is not host:port with a port in 0-65535; write e.g. %q", s.Listen, def.Listen)
	}
	if s.MaxBodyBytes <= 0 {
		ps.Add("api.max_body_bytes", "%d must be a positive number of bytes, such as %d", s.MaxBodyBytes, def.MaxBodyBytes)
	}
	return ps
}

// Warnings lists settings that are valid but risky: an API reachable from
// other machines (anyone who reaches it can publish messages signed by this
// node and read its peer data).
func (s Section) Warnings() []string {
	if host, _, err := net.SplitHostPort(s.Listen); err == nil && !loopbackHost(host) {
		return []string{fmt.Sprintf("api.listen %q is reachable from other machines, which can then publish messages as this node; "+
			"listen on 127.0.0.1 or put an authenticating proxy in front", s.Listen)}
	}
	return nil
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
