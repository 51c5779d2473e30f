package p2p

// The conformance vectors of the envelope (docs/protocol.md, "Conformance
// vectors"): made by internal/vectorgen from this package, checked by
// TestEnvelopeVectors.
//go:generate go run ../internal/vectorgen ../testdata/vectors
