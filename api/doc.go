// Package api is the node's local HTTP API (DESIGN decision 11): it lets the
// operator, the CLI and validator software in any language use the node. It
// listens on 127.0.0.1 by default; anyone who reaches it can publish as this
// node, so keep it on loopback.
//
//	GET  /metrics                Prometheus exposition of the node's registry
//	GET  /healthz                200 "ok" while the process serves
//	GET  /readyz                 200 when the registry is synced and at least
//	                             min_peers registered peers are connected; 503
//	                             otherwise, the JSON body saying what fails
//	GET  /v1/status              node, registry and network status (Status)
//	GET  /v1/peers               connected peers, then tracked registered peers
//	                             that are not connected, with liveness ([]Peer)
//	GET  /v1/evidence?peer=0x…&from=RFC3339&to=RFC3339
//	                             this node's signed evidence about a peer
//	                             (evidence.Signed); default range the last 24h
//	POST /v1/publish/{topic}     body = payload; 202 PublishResult, 400 empty,
//	                             404 unknown topic, 413 over max_body_bytes or
//	                             the topic's size cap
//	GET  /v1/subscribe/{topic}   server-sent events, "event: message" with a
//	                             JSON Message per message; 503 beyond the
//	                             subscriber limit
//
// Errors are JSON: {"error": "…"}. The API reaches the node only through the
// small interfaces in this package (Network, Registry, Evidence); node/
// adapts the real parts. Client is the Go client the CLI uses.
package api
