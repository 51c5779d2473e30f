// Command vectorgen writes the conformance vectors of the wire protocol
// (docs/protocol.md, section 12) to testdata/vectors/: envelopes.json,
// status.json, heartbeats.json, evidence.json, pop.json and attestations.json. `go generate ./...`
// runs it (see p2p/vectors.go); CI fails on a diff. Its output is
// deterministic: fixed keys derived from fixed seeds, a fixed clock, RFC 6979
// signatures (go-ethereum's crypto.Sign) and a fixed order, so two runs give
// the same bytes. Every verdict comes from the Go implementation, and a vector
// whose verdict is not the one its name says is an error, not a file.
//
// Usage: vectorgen <dir>
package main

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
)

// network is the network the vectors are made for and validated on.
const network = "devnet"

// now is the validating node's clock the verdicts assume: 2026-01-01T00:00:00Z.
var now = time.UnixMilli(1_767_225_600_000).UTC()

type key struct {
	name, seed  string
	k           *ecdsa.PrivateKey
	coordinator bool
	registered  bool
}

func newKey(name string, coordinator, registered bool) *key {
	return seededKey(name, "validator/vectors/"+name, coordinator, registered)
}

func seededKey(name, seed string, coordinator, registered bool) *key {
	k, err := ethcrypto.ToECDSA(ethcrypto.Keccak256([]byte(seed)))
	if err != nil {
		panic(err) // a keccak output out of range: never for these seeds
	}
	return &key{name: name, seed: seed, k: k, coordinator: coordinator, registered: registered}
}

func (k *key) address() string { return ethcrypto.PubkeyToAddress(k.k.PublicKey).Hex() }

// The keys of the gossip vectors: alice and bob are validators, carol a
// coordinator, mallory unregistered.
var (
	alice   = newKey("alice", false, true)
	bob     = newKey("bob", false, true)
	carol   = newKey("carol", true, true)
	mallory = newKey("mallory", false, false)
	keys    = []*key{alice, bob, carol, mallory}
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: vectorgen <dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "vectorgen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	for _, f := range []struct {
		name string
		make func() (any, error)
	}{
		{"envelopes.json", envelopes},
		{"status.json", status},
		{"heartbeats.json", heartbeats},
		{"evidence.json", evidenceVectors},
		{"pop.json", pops},
		{"attestations.json", attestations},
	} {
		v, err := f.make()
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		out, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: marshal: %w", f.name, err)
		}
		if err := writeIfChanged(filepath.Join(dir, f.name), append(out, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// writeIfChanged leaves an up-to-date file untouched (and its mtime).
func writeIfChanged(path string, b []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write vectors: %w", err)
	}
	return nil
}
