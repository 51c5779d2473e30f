package node_test

import (
	"testing"

	"validator/node"
	"validator/p2p"
	"validator/reputation"
)

// TestConfigSectionDefaultsAgree: the defaults of the file's sections are the
// libraries' own, so a program using p2p or reputation without a file gets
// the daemon's behaviour. [liveness] belongs to reputation/, which p2p does
// not import, so its probe defaults are stated twice; this pins them.
func TestConfigSectionDefaultsAgree(t *testing.T) {
	def := node.DefaultConfig()
	got := p2p.FromSections("devnet", def.Network, def.Gossip, def.Liveness)
	want := p2p.DefaultConfig("devnet")
	if got.PingInterval != want.PingInterval || got.PingTimeout != want.PingTimeout || got.CloseAfterMisses != want.CloseAfterMisses {
		t.Errorf("[liveness] defaults probe every %s with timeout %s, closing after %d misses; p2p.DefaultConfig: %s, %s, %d",
			got.PingInterval, got.PingTimeout, got.CloseAfterMisses, want.PingInterval, want.PingTimeout, want.CloseAfterMisses)
	}
	tr, rd := def.Liveness.Tracker(), reputation.DefaultConfig()
	rd.Alpha, rd.SlowExit = 0, 0 // not in the file: NewTracker's defaults
	if tr != rd {
		t.Errorf("[liveness] defaults give the tracker %+v; reputation.DefaultConfig: %+v", tr, rd)
	}
}
