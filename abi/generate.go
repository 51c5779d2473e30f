// Package abi holds the NodeRegistry ABI, bytecode and Go bindings, all generated
// from contracts/ by `go generate ./...`. Do not edit the files in this directory
// by hand: change contracts/NodeRegistry.sol and regenerate. Only chain/ imports
// this package; binding types never leave chain/.
package abi

//go:generate node ../contracts/build.js .
//go:generate go tool abigen --abi NodeRegistry.abi --bin NodeRegistry.bin --pkg abi --type NodeRegistry --out noderegistry.go
