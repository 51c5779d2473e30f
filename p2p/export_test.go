package p2p

import "github.com/libp2p/go-libp2p/core/peer"

// Silence stops a node's heartbeats, so tests can show the DHT finds it alone.
func Silence(c *Config) { c.silent = true }

// TopicPeers lists the peers a node's pubsub knows on a standard topic.
func TopicPeers(s *Service, topic string) []peer.ID { return s.topics[topic].ListPeers() }

// WireEnvelope is the RLP layout EncodeEnvelope writes, for rlp's reflective
// decoder to serve as the reference of DecodeEnvelope's walk.
type WireEnvelope = wireEnvelope

// KeyParses is how many times MemberKey has run.
func KeyParses() uint64 { return keyParses.Load() }

// NoDHTLookup stops discovery asking the DHT where a peer is.
func NoDHTLookup(c *Config) { c.noDHTLookup = true }
