package p2p

// The conformance vectors of the wire protocol (docs/protocol.md, section 11):
// internal/vectorgen writes every file of testdata/vectors from this package,
// chain and evidence; TestEnvelopeVectors, TestStatusVectors,
// TestHeartbeatVectors (here), TestEvidenceVectors (evidence) and
// TestPopVectors (chain) check them.
//go:generate go run ../internal/vectorgen ../testdata/vectors
