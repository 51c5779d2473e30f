package store

import (
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// State is a peer's liveness state. It mirrors reputation's states; the node
// layer converts between the two so that store depends on neither.
type State uint8

// Liveness states. The numeric values are part of the on-disk format.
const (
	Unknown State = iota
	Responsive
	Slow
	Offline
	Unreached
)

func (s State) String() string {
	switch s {
	case Unknown:
		return "unknown"
	case Responsive:
		return "responsive"
	case Slow:
		return "slow"
	case Offline:
		return "offline"
	case Unreached:
		return "unreached"
	default:
		return fmt.Sprintf("state(%d)", uint8(s))
	}
}

func (s State) valid() bool { return s <= Unreached }

// Transition is one change of a peer's liveness state.
type Transition struct {
	Peer     common.Address
	At       time.Time
	From, To State
	Reason   string
}

// Summary is one interval of liveness evidence about a peer.
type Summary struct {
	Peer       common.Address
	Start, End time.Time

	PingsSent, PingsAnswered uint32
	RTTMin, RTTMean, RTTMax  time.Duration
	// Offline is how long the peer was Offline within [Start, End].
	Offline time.Duration
	// Rejected counts gossip messages from this peer that validation rejected.
	Rejected uint32
}

// PeerRecord is a peer's current state and score, restored on restart.
type PeerRecord struct {
	Peer      common.Address
	State     State
	Since     time.Time
	Score     float64
	UpdatedAt time.Time
}

// AddrRecord is the newest heartbeat-advertised address set of a peer.
type AddrRecord struct {
	Peer    common.Address
	PeerID  string
	Addrs   []string
	Version string
	// Seen is the timestamp of the heartbeat that carried the record.
	Seen time.Time
}
