package p2p

// Silence stops a node's heartbeats, so tests can show the DHT finds it alone.
func Silence(c *Config) { c.silent = true }
