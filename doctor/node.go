package doctor

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"validator/p2p"
	"validator/store"
)

// checkAPI: the daemon answers on its API and runs this configuration's
// network with this node key.
func (d *doctor) checkAPI(ctx context.Context) []Result {
	cctx, cancel := d.timeout(ctx)
	defer cancel()
	st, err := d.client.Status(cctx)
	if err != nil {
		return []Result{
			{Check: "api", Status: Fail, Detail: fmt.Sprintf("the node API at %s does not answer: %v", d.client.BaseURL(), err),
				Next: "start the daemon (validator start --config <file>), or pass --api with its api.listen"},
			{Check: "node_network", Status: Skip, Detail: "the node API is unreachable"},
		}
	}
	d.status = &st
	if peers, err := d.client.Peers(cctx); err == nil {
		d.peers = peers
	}
	version := st.Version
	if version == "" {
		version = "(unset)"
	}
	rs := []Result{{Check: "api", Status: OK, Detail: fmt.Sprintf("%s: node %s, version %s, up %s", d.client.BaseURL(), st.NodeID, version, (time.Duration(st.UptimeSeconds) * time.Second).String())}}
	n := d.cfg.Network
	var diffs []string
	if st.NodeID != d.id.NodeID {
		diffs = append(diffs, fmt.Sprintf("node %s (keys.node_key here is %s)", st.NodeID, d.id.NodeID))
	}
	if st.Network != n.Name {
		diffs = append(diffs, fmt.Sprintf("network %q (here %q)", st.Network, n.Name))
	}
	if st.ChainID != n.ChainID {
		diffs = append(diffs, fmt.Sprintf("chain ID %d (here %d)", st.ChainID, n.ChainID))
	}
	if st.RegistryAddress != n.Registry {
		diffs = append(diffs, fmt.Sprintf("registry %s (here %s)", st.RegistryAddress, n.Registry))
	}
	if len(diffs) > 0 {
		d.networkMismatch = true
		return append(rs, Result{Check: "node_network", Status: Fail,
			Detail: "the daemon at " + d.client.BaseURL() + " runs " + strings.Join(diffs, ", "),
			Next:   "run validator doctor with the daemon's own --config (and --api), or restart the daemon with this configuration"})
	}
	return append(rs, Result{Check: "node_network", Status: OK, Detail: fmt.Sprintf("the daemon runs network %s (chain %d, registry %s) with this node key", n.Name, n.ChainID, n.Registry)})
}

// checkPeerCount: connected registered peers against /readyz's floor.
func (d *doctor) checkPeerCount(ctx context.Context) Result {
	const name = "peer_count"
	if d.status == nil {
		return Result{Check: name, Status: Skip, Detail: "the node API is unreachable"}
	}
	cctx, cancel := d.timeout(ctx)
	defer cancel()
	peers, floor := d.status.PeerCount, d.cfg.MinPeers
	if r, err := d.client.Ready(cctx); err == nil {
		peers, floor = r.Peers, r.MinPeers
	}
	if peers < floor {
		return Result{Check: name, Status: Fail, Detail: fmt.Sprintf("%d connected registered peers, the readiness floor (api.min_peers) is %d", peers, floor),
			Next: "the peer:* lines say which peers cannot be reached and how; /readyz fails until enough connect"}
	}
	return Result{Check: name, Status: OK, Detail: fmt.Sprintf("%d connected registered peers (api.min_peers %d)", peers, floor)}
}

// startClockSkew listens to heartbeats through the API for a little longer
// than a heartbeat interval, while the other checks run, and compares each
// envelope's timestamp with the local time it arrived: the smallest
// difference per sender estimates the clock offset (plus one-way delay,
// milliseconds on a LAN). The returned function waits for the window to end
// and judges.
func (d *doctor) startClockSkew(ctx context.Context) func() Result {
	const name = "clock_skew"
	if d.status == nil {
		return func() Result { return Result{Check: name, Status: Skip, Detail: "the node API is unreachable"} }
	}
	window := d.cfg.HeartbeatInterval + 2*time.Second
	sctx, cancel := context.WithTimeout(ctx, window)
	msgs, err := d.client.Subscribe(sctx, p2p.TopicHeartbeats)
	if err != nil {
		cancel()
		return func() Result {
			return Result{Check: name, Status: Warn, Detail: fmt.Sprintf("subscribe to heartbeats: %v", err), Next: "check the daemon's logs"}
		}
	}
	offsets := map[common.Address]time.Duration{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		for m := range msgs {
			if m.Sender == d.id.NodeID {
				continue
			}
			off := time.Since(m.Timestamp) // local clock minus sender's, plus delay
			if prev, ok := offsets[m.Sender]; !ok || abs(off) < abs(prev) {
				offsets[m.Sender] = off
			}
		}
	}()
	return func() Result {
		<-done
		return d.judgeSkew(offsets, window)
	}
}

func (d *doctor) judgeSkew(offsets map[common.Address]time.Duration, window time.Duration) Result {
	const name = "clock_skew"
	if len(offsets) == 0 {
		if d.status.PeerCount == 0 {
			return Result{Check: name, Status: Skip, Detail: "no connected peers to compare clocks with"}
		}
		return Result{Check: name, Status: Warn, Detail: fmt.Sprintf("no heartbeat arrived in %s although %d peers are connected", window, d.status.PeerCount),
			Next: fmt.Sprintf("heartbeats stamped more than gossip.max_skew (%s) ahead of this clock, or older than gossip.max_age, are ignored: check this host's clock (timedatectl status) and the daemon's logs", d.cfg.MaxSkew)}
	}
	var worst common.Address
	var all []time.Duration
	for a, off := range offsets {
		all = append(all, off)
		if abs(off) > abs(offsets[worst]) || worst == (common.Address{}) {
			worst = a
		}
	}
	slices.Sort(all)
	median := all[len(all)/2]
	detail := fmt.Sprintf("heartbeats of %d peer(s): median offset %s, largest %s (node %s); positive means this clock is ahead",
		len(all), median.Round(time.Millisecond), offsets[worst].Round(time.Millisecond), worst)
	switch m := abs(offsets[worst]); {
	case m > d.cfg.MaxSkew/2:
		return Result{Check: name, Status: Fail, Detail: detail, Next: fmt.Sprintf("clocks further apart than gossip.max_skew (%s) drop each other's messages: sync this host's clock (chrony or systemd-timesyncd; timedatectl status); if only one peer is off, tell its operator", d.cfg.MaxSkew)}
	case m > time.Second:
		return Result{Check: name, Status: Warn, Detail: detail, Next: "check NTP on this host (timedatectl status); if only one peer is off, tell its operator"}
	}
	return Result{Check: name, Status: OK, Detail: detail}
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		if d == math.MinInt64 {
			return math.MaxInt64
		}
		return -d
	}
	return d
}

// checkSchema: the running daemon's store has the schema this binary reads.
// Badger locks the data directory while the daemon runs, so the version comes
// from /v1/status (the daemon opened the store, and Open refuses any schema
// it does not know).
func (d *doctor) checkSchema() Result {
	const name = "store_schema"
	switch {
	case d.status == nil:
		return Result{Check: name, Status: Skip, Detail: "the node API is unreachable; the daemon checks the schema when it opens the store and says what to do if it differs"}
	case d.status.StoreSchemaVersion == 0:
		return Result{Check: name, Status: Warn, Detail: "the daemon does not report its store schema version (an older release)", Next: "upgrade the daemon to this release"}
	case d.status.StoreSchemaVersion != store.SchemaVersion:
		return Result{Check: name, Status: Warn, Detail: fmt.Sprintf("the daemon's store has schema version %d, this binary reads version %d", d.status.StoreSchemaVersion, store.SchemaVersion),
			Next: "run the daemon and this tool from the same release; a daemon of this release refuses a store of another schema and says what to do"}
	}
	return Result{Check: name, Status: OK, Detail: fmt.Sprintf("schema version %d, as this binary", store.SchemaVersion)}
}
