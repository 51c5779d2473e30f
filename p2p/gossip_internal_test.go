package p2p

import (
	"strings"
	"testing"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"google.golang.org/protobuf/proto"
)

// A full IHAVE of one topic must fit in one RPC frame: otherwise gossipsub
// splits it one message ID at a time, quadratic in IDs, on its event loop.
func TestRPCFrameFitsFullIHave(t *testing.T) {
	ids := make([]string, pubsub.GossipSubMaxIHaveLength)
	for i := range ids {
		ids[i] = MessageID([]byte{byte(i), byte(i >> 8)})
	}
	topic := TopicName(strings.Repeat("n", MaxNetworkLen), strings.Repeat("t", MaxTopicLen))
	rpc := &pb.RPC{Control: &pb.ControlMessage{Ihave: []*pb.ControlIHave{{TopicID: &topic, MessageIDs: ids}}}}
	for _, envelope := range []int{1, DefaultHeartbeatMaxSize, DefaultMaxEnvelopeSize, 4 << 20} {
		frame := rpcFrameSize(envelope)
		if size := proto.Size(rpc); size > frame {
			t.Errorf("envelopes of %d bytes: a full IHAVE is %d bytes, over the %d-byte frame", envelope, size, frame)
		}
		if frame < envelope+1024 {
			t.Errorf("envelopes of %d bytes: frame %d leaves no room for RPC framing", envelope, frame)
		}
	}
}
