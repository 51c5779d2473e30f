package p2p

import (
	"errors"
	"net/netip"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/x/rate"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// The resource manager's connection rate limit (go-libp2p's default: one new
// connection per 5 s per IPv4 address, a burst of 16, loopback exempt)
// counts connections in both directions. Ours dial registered peers only,
// paced by discovery and the prober; counted, they starved themselves: while
// a peer was down (frozen 60 s in the fault harness's long form), every node
// kept dialling it each discovery round and probe, two addresses a dial, and
// used up its bucket for the peer's address; when the peer came back its dials
// were refused locally ("rate limit exceeded") faster than the bucket
// refilled, and the peer's own bucket for theirs, drained by the dials its
// kernel had queued while it was frozen, refused them in turn
// (CONNECTION_REFUSED). Pairs stayed apart for minutes.
//
// So the limit applies to inbound connections only, where it is a defence
// against keyless connection floods beside the gate's limit on handshakes in
// flight per address (accept.go), and refills at a rate a registered peer's
// redials (one discovery round every 2 s, two addresses) never outrun.

// inboundConnRate is the per-address limit on new inbound connections.
var inboundConnRate = rate.Limit{RPS: 1, Burst: 32}

// newInboundConnLimiter limits inbound connections per IPv4 address (/32) and
// IPv6 prefix (/56), loopback exempt, as go-libp2p's default does but at
// inboundConnRate.
func newInboundConnLimiter() *rate.Limiter {
	return &rate.Limiter{
		NetworkPrefixLimits: []rate.PrefixLimit{
			{Prefix: netip.MustParsePrefix("127.0.0.0/8")},
			{Prefix: netip.MustParsePrefix("::1/128")},
		},
		SubnetRateLimiter: rate.SubnetLimiter{
			IPv4SubnetLimits: []rate.SubnetLimit{{PrefixLength: 32, Limit: inboundConnRate}},
			IPv6SubnetLimits: []rate.SubnetLimit{{PrefixLength: 56, Limit: inboundConnRate}},
			GracePeriod:      time.Minute,
		},
	}
}

// errInboundRate refuses an inbound connection over inboundConnRate.
var errInboundRate = errors.New("inbound connection rate limit exceeded")

// inboundRateLimited is a resource manager whose connection rate limit
// applies to inbound connections only (its own limiter is off).
type inboundRateLimited struct {
	network.ResourceManager
	in      *rate.Limiter
	refused func() // counts a refusal
}

// newResourceManager builds the resource manager with limiter's limits, and
// the connection rate limit on inbound connections only; refused, if not nil,
// counts each inbound connection it refuses.
func newResourceManager(refused func(), limiter rcmgr.Limiter, opts ...rcmgr.Option) (network.ResourceManager, error) {
	if refused == nil {
		refused = func() {}
	}
	opts = append(opts, rcmgr.WithConnRateLimiters(&rate.Limiter{})) // no limit: see inboundRateLimited
	rm, err := rcmgr.NewResourceManager(limiter, opts...)
	if err != nil {
		return nil, err
	}
	return &inboundRateLimited{ResourceManager: rm, in: newInboundConnLimiter(), refused: refused}, nil
}

func (r *inboundRateLimited) OpenConnection(dir network.Direction, usefd bool, endpoint ma.Multiaddr) (network.ConnManagementScope, error) {
	if dir == network.DirInbound {
		if ip, err := manet.ToIP(endpoint); err == nil {
			if addr, ok := netip.AddrFromSlice(ip); ok && !r.in.Allow(addr.Unmap()) {
				r.refused()
				return nil, errInboundRate
			}
		}
	}
	return r.ResourceManager.OpenConnection(dir, usefd, endpoint)
}
