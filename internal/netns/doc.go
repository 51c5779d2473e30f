// Package netns builds throwaway network labs for tests that need real
// processes on separate hosts: each host is a Linux network namespace joined
// by a point-to-point veth pair to one router namespace (the hub), which
// forwards between them and can partition them. The root namespace, where the
// test runs, has its own link to the hub: it reaches every host and serves
// them (a chain's JSON-RPC, say) on Lab.RootAddr.
//
//	root (RootAddr .1) ── hub (.2, forwards) ─┬─ host 0 (.6)
//	                                          ├─ host 1 (.10)
//	                                          └─ …
//
// Links are routed, not bridged: bridged traffic between namespaces runs
// through the root namespace's netfilter where br_netfilter is loaded. A
// partition is a set of blackhole policy rules in the hub, so packets between
// the groups vanish silently, as on a cut link, while every host still reaches
// the root namespace. Nothing is changed in the root namespace beyond one veth
// and one route, both gone with the lab; forwarding is enabled in the hub only.
//
// LinkDown takes one host's link down at the hub, as when its cable is pulled:
// that host loses everyone, the root namespace included, until LinkUp.
//
// It needs root and iproute2 ("ip"). Require skips the test without them, or
// fails it when VALIDATOR_REQUIRE_NETNS=1 (CI).
//
// Its API exists on Linux only.
package netns
