// Package reputation turns liveness probes and gossip verdicts about registered
// peers into per-peer states (responsive, slow, offline), per-interval evidence
// summaries, and a score in [0, 1]. It is pure logic: it imports neither libp2p
// nor Badger. p2p/ feeds it observations, store/ persists what it returns, and
// the score feeds gossipsub's application-specific score and the connection
// manager.
//
// # Liveness states
//
// A Tracker keeps, per peer, an exponentially weighted moving average (EWMA) of
// the ping RTT and a count of consecutive failed probes:
//
//   - Unknown: nothing decisive seen yet (no answer, fewer than OfflineAfter
//     failures).
//   - Responsive / Slow: the peer answers; it is Slow while the RTT average is
//     high. Entering Slow needs the average strictly above SlowRTT; leaving it
//     needs the average strictly below SlowRTT*SlowExit. The band between is
//     hysteresis, so an RTT oscillating around SlowRTT does not flap. Only
//     answered pings feed the average; a timeout is not an RTT.
//   - Offline: OfflineAfter consecutive failed probes. A probe fails when the
//     ping is missed (Observation.Miss) or the peer is registered but cannot be
//     dialled (Observation.Unreachable). Unreachable counts as one miss, not as
//     Offline at once: a single failed dial is often transient (a restart, a
//     stale address the DHT has not refreshed), and treating both alike keeps
//     one rule and one threshold. One answered ping brings an Offline peer back,
//     to Responsive or Slow according to its RTT average (with the hysteresis
//     from the class it had before it went offline).
//
// Slow is never penalised: it is a label for operators, and nothing in the
// score depends on RTT.
//
// # Evidence
//
// The tracker accounts evidence in intervals of Config.Interval aligned to
// multiples of the interval (time.Time.Truncate). For every interval that has
// ended, Flush returns a Summary per peer with the probes sent and answered,
// RTT min/mean/max, gossip messages rejected, and the time the peer spent
// Offline, counted from the moment of the transition and split exactly across
// interval boundaries. An Offline peer keeps accruing offline time whether or
// not it is probed; that is the "persistently offline" evidence. Rules:
//
//   - A peer's first summary starts at its first observation (a partial
//     interval); later ones start on boundaries.
//   - An interval with no probes, no rejections and no offline time produces no
//     summary: no evidence is not good evidence.
//   - A run of whole intervals in which an Offline peer had no probes and no
//     rejections is reported as one summary spanning the run (Start and End on
//     boundaries, Offline = End-Start), so a long silence or a clock jump costs
//     one record, not one per interval.
//   - Time never runs backwards per peer: an observation older than the last
//     one applied to that peer (or than the last Flush) is taken to happen at
//     that later time.
//
// After a restart, Restore seeds a peer's state from the store. No evidence is
// invented for the time the daemon was down: accounting for a restored peer
// starts at its first observation after the restart, and a restored Offline
// peer accrues offline time from then.
//
// # Score
//
// Score is a pure function of a peer's summaries. Availability in a window is
// 1 - offline/observed over the summaries inside it, each weighted by recency
// (exponential decay with the window's half-life); windows without evidence are
// left out and the remaining weights renormalised. A peer with no evidence at
// all scores NeutralScore (1.0). Rejected gossip messages multiply the score by
// exp(-RejectPenalty * decayed rejections). RTT and ping counts are not inputs.
package reputation
