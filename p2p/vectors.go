package p2p

// The conformance vectors of the wire protocol (docs/protocol.md, section 12):
// internal/vectorgen writes every file of testdata/vectors from this package,
// chain, evidence and accountability; TestEnvelopeVectors, TestStatusVectors,
// TestHeartbeatVectors (here), TestEvidenceVectors (evidence), TestPopVectors
// (chain) and TestAttestationVectors (accountability) check them.
//go:generate go run ../internal/vectorgen ../testdata/vectors
