package p2p_test

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"validator/internal/testutil"
	"validator/p2p"
)

// TestProtocolDocExamples keeps docs/protocol.md true: its protocol IDs, topic
// names and worked examples (peer ID, status, envelope digest, signature, wire
// bytes and message ID) are computed here with this package and must appear in
// the document verbatim.
func TestProtocolDocExamples(t *testing.T) {
	want := testutil.DocStates(t, "../docs/protocol.md")

	want("status protocol", "`"+string(p2p.StatusProtocol("<network>"))+"`")
	want("topic name", "`"+p2p.TopicName("<network>", "<name>")+"`")
	for _, name := range p2p.StandardTopics {
		want("standard topic", "`"+name+"`")
	}
	// Section 6's validation table names every reason with its result.
	for _, r := range p2p.ValidationReasons {
		want("validation reason", "| `"+r+"` |")
	}

	// The node key of the examples: keccak256("validator/devnet/node/1").
	key, err := ethcrypto.ToECDSA(ethcrypto.Keccak256([]byte("validator/devnet/node/1")))
	if err != nil {
		t.Fatal(err)
	}
	id, err := p2p.NewIdentity(key)
	if err != nil {
		t.Fatal(err)
	}
	want("node key", hex.EncodeToString(ethcrypto.FromECDSA(key)))
	want("peer ID", id.PeerID.String())
	want("node ID", id.NodeID.Hex())

	registry := common.HexToAddress("0x40712079633F346B83a7aA7bB248a1ab8ac2eEE5")
	st, err := rlp.EncodeToBytes(p2p.Status{Network: "devnet", ChainID: 1337, Registry: registry, RegistryBlock: 42, Version: "v1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	want("status request frame", "28 "+hex.EncodeToString(st))

	e := &p2p.Envelope{
		Network: "devnet", Topic: p2p.TopicJobs, Sender: id.NodeID,
		Timestamp: uint64(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()), Payload: []byte("hello"),
	}
	digest := e.SigningHash()
	want("envelope digest", hex.EncodeToString(digest[:]))
	sig, err := ethcrypto.Sign(digest[:], key)
	if err != nil {
		t.Fatal(err)
	}
	e.Signature = sig[:64] // version 1: r || s, no recovery byte
	want("signature r", hex.EncodeToString(e.Signature[:32]))
	want("signature s", hex.EncodeToString(e.Signature[32:]))
	wire, err := p2p.EncodeEnvelope(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(wire) != 114 {
		t.Errorf("example envelope is %d bytes, the document says 114", len(wire))
	}
	want("envelope signature field", "b840 "+hex.EncodeToString(e.Signature))
	want("envelope head", hex.EncodeToString(wire[:len(wire)-66]))
	want("message ID", "message ID "+hex.EncodeToString([]byte(p2p.MessageID(wire))))
}
