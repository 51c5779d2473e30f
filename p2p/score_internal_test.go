package p2p

import (
	"log/slog"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// A peer that crossed the graylist threshold is held under it for
// GraylistHold, whatever its counters do meanwhile; then its own score
// counts again. Without the hold, a flooder caught just past the threshold
// is back over it within seconds as its invalid-message counter decays.
func TestGraylistHold(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	sc, err := newScoring(slog.New(slog.DiscardHandler), NewStaticMembership(), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc.now = func() time.Time { return now }
	flooder, honest := peer.ID("flooder"), peer.ID("honest")
	app := sc.app(func(peer.ID) float64 { return AppScoreMax })

	// Caught just past the threshold.
	sc.inspect(map[peer.ID]*pubsub.PeerScoreSnapshot{
		flooder: {Score: GraylistThreshold - 1, Topics: map[string]*pubsub.TopicScoreSnapshot{"t": {InvalidMessageDeliveries: 9}}},
		honest:  {Score: AppScoreMax},
	})
	now = now.Add(30 * time.Second) // P4 alone would have decayed back over the threshold
	if got := app(flooder); got >= GraylistThreshold {
		t.Fatalf("flooder's app score %v during the hold, want under %v", got, GraylistThreshold)
	}
	if got := app(honest); got != AppScoreMax {
		t.Fatalf("honest peer's app score %v, want %v", got, AppScoreMax)
	}
	now = now.Add(GraylistHold)
	sc.inspect(map[peer.ID]*pubsub.PeerScoreSnapshot{flooder: {Score: AppScoreMax - 100}})
	if got := app(flooder); got != AppScoreMax {
		t.Fatalf("flooder's app score %v after the hold, want its own %v", got, AppScoreMax)
	}
}
