package p2p_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"validator/internal/settings"
	"validator/p2p"
)

type probe struct {
	interval, timeout time.Duration
	offlineAfter      int
}

func (p probe) Probe() (time.Duration, time.Duration, int) {
	return p.interval, p.timeout, p.offlineAfter
}

// defaultProbe is p2p.DefaultConfig's probing.
func defaultProbe() probe {
	d := p2p.DefaultConfig("x")
	return probe{d.PingInterval, d.PingTimeout, d.CloseAfterMisses}
}

// TestFromSectionsDefaults: the default sections build DefaultConfig, so
// DefaultConfig and the file's defaults cannot drift apart.
func TestFromSectionsDefaults(t *testing.T) {
	got := p2p.FromSections("acme", p2p.DefaultNetworkSection(), p2p.DefaultGossipSection(), defaultProbe())
	want := p2p.DefaultConfig("acme")
	want.Validation = p2p.ValidatorConfig{
		Network:        "acme",
		DefaultMaxSize: p2p.DefaultMaxEnvelopeSize,
		MaxSize:        map[string]int{p2p.TopicHeartbeats: p2p.DefaultHeartbeatMaxSize},
		MaxAge:         p2p.DefaultMaxAge,
		MaxSkew:        p2p.DefaultMaxSkew,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FromSections(defaults)\n%+v\nwant DefaultConfig\n%+v", got, want)
	}
	if ps := p2p.DefaultNetworkSection().Problems(); len(ps) > 0 {
		t.Errorf("default [network] has problems: %v", ps.Err())
	}
	if ps := p2p.DefaultGossipSection().Problems(); len(ps) > 0 {
		t.Errorf("default [gossip] has problems: %v", ps.Err())
	}
}

// TestFromSectionsUsesEveryKey changes each key of [network] and [gossip] in
// turn: FromSections must carry every one into p2p.Config (a key added to a
// section but not to NetworkSection.apply or GossipSection.apply fails here).
func TestFromSectionsUsesEveryKey(t *testing.T) {
	base := func() (p2p.NetworkSection, p2p.GossipSection) {
		return p2p.DefaultNetworkSection(), p2p.DefaultGossipSection()
	}
	n0, g0 := base()
	def := p2p.FromSections("acme", n0, g0, defaultProbe())
	for sec, typ := range map[string]reflect.Type{"network": reflect.TypeFor[p2p.NetworkSection](), "gossip": reflect.TypeFor[p2p.GossipSection]()} {
		for i := range typ.NumField() {
			n, g := base()
			v := reflect.ValueOf(&n).Elem()
			if sec == "gossip" {
				v = reflect.ValueOf(&g).Elem()
			}
			f, name := v.Field(i), v.Type().Field(i).Tag.Get("toml")
			switch {
			case f.Type() == reflect.TypeFor[settings.Duration]():
				f.Set(reflect.ValueOf(settings.Duration(f.Int()) + settings.Duration(time.Second)))
			case f.Kind() == reflect.Int:
				f.SetInt(f.Int() + 1)
			case f.Kind() == reflect.Bool:
				f.SetBool(!f.Bool())
			case f.Kind() == reflect.Slice:
				f.Set(reflect.Append(f, reflect.ValueOf("/ip4/192.0.2.1/tcp/1")))
			default:
				t.Fatalf("%s.%s: type %s: extend this test", sec, name, f.Type())
			}
			if got := p2p.FromSections("acme", n, g, defaultProbe()); reflect.DeepEqual(got, def) {
				t.Errorf("%s.%s: changing it does not change p2p.Config", sec, name)
			}
		}
	}
	got := p2p.FromSections("acme", n0, g0, probe{time.Hour, time.Minute, 9})
	if got.PingInterval != time.Hour || got.PingTimeout != time.Minute || got.CloseAfterMisses != 9 {
		t.Errorf("probing: interval %s, timeout %s, close after %d; want 1h, 1m, 9", got.PingInterval, got.PingTimeout, got.CloseAfterMisses)
	}
}

func TestSectionProblemsNameTheirKeys(t *testing.T) {
	n := p2p.NetworkSection{}
	g := p2p.GossipSection{PeerMsgRate: 5, PeerMsgBurst: 1}
	for _, tc := range []struct {
		prefix string
		ps     settings.Problems
	}{{"network.", n.Problems()}, {"gossip.", g.Problems()}} {
		if len(tc.ps) == 0 {
			t.Fatalf("zero %s section has no problems", strings.TrimSuffix(tc.prefix, "."))
		}
		for _, p := range tc.ps {
			if !strings.HasPrefix(p.Key, tc.prefix) {
				t.Errorf("problem %q is not named by a %s key", p, tc.prefix)
			}
		}
	}
}

// TestDiscv5SettingsProblems: discv5's port must not be QUIC's (both UDP),
// and its bootnodes must be ENRs; the clash only matters with discv5 on.
func TestDiscv5SettingsProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*p2p.NetworkSection)
		key  string // "" for no problem
	}{
		{"default", func(*p2p.NetworkSection) {}, ""},
		{"QUIC's port, discv5 off", func(s *p2p.NetworkSection) { s.Discv5Port = 9000 }, ""},
		{"QUIC's port", func(s *p2p.NetworkSection) { s.Discv5, s.Discv5Port = true, 9000 }, "network.discv5_port"},
		{"TCP's port", func(s *p2p.NetworkSection) { s.Discv5, s.Discv5Port = true, 9000; s.ListenAddrs = s.ListenAddrs[1:] }, ""},
		{"port 0", func(s *p2p.NetworkSection) { s.Discv5Port = 0 }, "network.discv5_port"},
		{"enode URL", func(s *p2p.NetworkSection) {
			s.Discv5Bootnodes = []string{"enode://1234@127.0.0.1:30303"}
		}, "network.discv5_bootnodes[0]"},
		{"broken ENR", func(s *p2p.NetworkSection) { s.Discv5Bootnodes = []string{"enr:-xyz"} }, "network.discv5_bootnodes[0]"},
	} {
		s := p2p.DefaultNetworkSection()
		tc.edit(&s)
		ps := s.Problems()
		switch {
		case tc.key == "" && len(ps) > 0:
			t.Errorf("%s: unexpected problems: %v", tc.name, ps.Err())
		case tc.key != "" && (len(ps) != 1 || ps[0].Key != tc.key):
			t.Errorf("%s: problems %v, want one under %s", tc.name, ps.Err(), tc.key)
		}
	}
}
