package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/urfave/cli/v2"

	"validator/api"
	"validator/evidence"
	"validator/p2p"
)

func cmdPeers(cctx *cli.Context) error {
	ctx, out := cctx.Context, cctx.App.Writer
	addr, asJSON := apiAddr(cctx), cctx.Bool("json")
	c := api.NewClient(addr)
	defer c.Close()
	peers, err := c.Peers(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(out).Encode(peers)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "NODE\tPEER ID\tCONNECTED\tDIRECTION\tSTATE\tSCORE\tGOSSIP\tRTT\tADDRESS\n")
	for _, p := range peers {
		score, gossip := "-", "-"
		if p.Score != nil {
			score = fmt.Sprintf("%.3f", *p.Score)
		}
		if p.GossipScore != nil {
			gossip = fmt.Sprintf("%.0f", *p.GossipScore)
			if *p.GossipScore < p2p.GraylistThreshold {
				gossip += " graylisted"
			}
		}
		rtt := "-"
		if p.LatencyMs > 0 {
			rtt = fmt.Sprintf("%.1fms", p.LatencyMs)
		}
		addr := ""
		if len(p.Addrs) > 0 {
			addr = p.Addrs[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\t%s\t%s\t%s\t%s\n", p.NodeID, p.PeerID, p.Connected, p.Direction, p.State, score, gossip, rtt, addr)
	}
	return tw.Flush()
}

func cmdStatus(cctx *cli.Context) error {
	ctx, out := cctx.Context, cctx.App.Writer
	addr, asJSON := apiAddr(cctx), cctx.Bool("json")
	c := api.NewClient(addr)
	defer c.Close()
	st, err := c.Status(ctx)
	if err != nil {
		return err
	}
	ready, rerr := c.Ready(ctx)
	if asJSON {
		return json.NewEncoder(out).Encode(map[string]any{"status": st, "ready": ready})
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "node\t%s\npeer id\t%s\nnetwork\t%s (chain %d, registry %s)\n", st.NodeID, st.PeerID, st.Network, st.ChainID, st.RegistryAddress)
	fmt.Fprintf(tw, "registry\tsynced=%v block=%d head=%d nodes=%d\n", st.Registry.Synced, st.Registry.Block, st.Registry.Head, st.Registry.Nodes)
	if st.Registry.LastError != "" {
		fmt.Fprintf(tw, "registry error\t%s\n", st.Registry.LastError)
	}
	if r := st.Registration; r != nil {
		line := r.State
		if r.Reason != "" {
			line += ": " + r.Reason
		}
		fmt.Fprintf(tw, "registration\t%s\n", line)
	}
	fmt.Fprintf(tw, "peers\t%d\nlisten\t%s\nversion\t%s\nuptime\t%s\n", st.PeerCount, strings.Join(st.ListenAddrs, " "), st.Version, (time.Duration(st.UptimeSeconds) * time.Second).String())
	switch {
	case rerr != nil && ready.Ready:
		fmt.Fprintf(tw, "ready\tunknown (%v)\n", rerr)
	case ready.Ready:
		fmt.Fprintf(tw, "ready\tyes\n")
	default:
		fmt.Fprintf(tw, "ready\tno: %s\n", strings.Join(ready.Failing, "; "))
	}
	return tw.Flush()
}

func cmdEvidence(cctx *cli.Context) error {
	ctx, out, errOut := cctx.Context, cctx.App.Writer, cctx.App.ErrWriter
	addr, peer, since := apiAddr(cctx), cctx.String("peer"), cctx.Duration("since")
	if !common.IsHexAddress(peer) {
		return usagef("--peer %q: want the peer's node ID (0x...)", peer)
	}
	c := api.NewClient(addr)
	defer c.Close()
	to := time.Now()
	signed, err := c.Evidence(ctx, common.HexToAddress(peer), to.Add(-since), to)
	if err != nil {
		return err
	}
	rep, err := evidence.Verify(signed)
	if err != nil {
		return fmt.Errorf("the node returned evidence that does not verify: %w", err)
	}
	fmt.Fprintf(errOut, "verified: observed by %s, %d transitions, %d summaries\n", rep.Observer, len(rep.Transitions), len(rep.Summaries))
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(signed)
}
