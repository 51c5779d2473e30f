package p2p

import (
	"time"
)

// idleLoop closes connections that have carried no stream for IdleTimeout.
// Gossiping peers always hold a pubsub stream, so in practice this closes
// connections of peers that never joined gossip.
func (s *Service) idleLoop() {
	every := max(s.cfg.IdleTimeout/4, 100*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	idleSince := map[string]time.Time{}
	for {
		select {
		case <-s.ctx.Done():
			return
		case now := <-t.C:
			seen := map[string]bool{}
			for _, c := range s.host.Network().Conns() {
				id := c.ID()
				seen[id] = true
				if len(c.GetStreams()) > 0 {
					delete(idleSince, id)
					continue
				}
				since, ok := idleSince[id]
				if !ok {
					idleSince[id] = now
					continue
				}
				if now.Sub(since) >= s.cfg.IdleTimeout {
					s.m.idleClosed.Inc()
					_ = c.Close()
					delete(idleSince, id)
				}
			}
			for id := range idleSince {
				if !seen[id] {
					delete(idleSince, id)
				}
			}
		}
	}
}
