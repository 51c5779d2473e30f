package store

import (
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// AddrRewriteEvery bounds how often NoteAddr rewrites an unchanged
// address-book entry just to advance its Seen time: heartbeats arrive every
// few seconds from every peer, and the disk only needs them when something
// changed (or once a minute, so that retention does not expire a peer that is
// still heard from).
const AddrRewriteEvery = time.Minute

// NoteAddr hands the store a peer's newest heartbeat addresses; the store
// decides whether to write them. It writes when the addresses or the version
// differ from the last entry it wrote for the peer, or when that entry's Seen
// is AddrRewriteEvery or more older; otherwise it does nothing. A failed write
// is counted (validator_store_write_errors_total{kind="addr"}), not returned:
// heartbeats keep coming, and the next change or the next minute writes again.
func (s *Store) NoteAddr(a AddrRecord) {
	s.addrMu.Lock()
	last, ok := s.addrLast[a.Peer]
	if ok && slices.Equal(last.Addrs, a.Addrs) && last.Version == a.Version && a.Seen.Sub(last.Seen) < AddrRewriteEvery {
		s.addrMu.Unlock()
		return
	}
	if s.addrLast == nil {
		s.addrLast = map[common.Address]AddrRecord{}
	}
	a.Addrs = slices.Clone(a.Addrs)
	s.addrLast[a.Peer] = a
	s.addrMu.Unlock()
	_, _ = s.PutAddr(a) // a failed write is counted by PutAddr
}

// ForgetAddr drops what NoteAddr remembers of a peer that left the registry,
// so that memory follows the registry; the stored entry stays until retention
// expires it, and the peer's next heartbeat, if it comes back, is written at
// once.
func (s *Store) ForgetAddr(peer common.Address) {
	s.addrMu.Lock()
	delete(s.addrLast, peer)
	s.addrMu.Unlock()
}
