package doctor_test

import (
	"context"
	"net"
	"testing"
	"time"

	"validator/chain"
	"validator/doctor"
)

// TestDisk: the disk check against the thresholds, with nothing else
// reachable (a closed RPC port, no API).
func TestDisk(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	base := doctor.Config{
		Network: chain.Devnet, NodeKey: chain.DevnetNodeKey(0), API: closed, ListenAddrs: []string{"/ip4/127.0.0.1/tcp/1"},
		DataDir: t.TempDir() + "/not/yet/created", Timeout: time.Second,
	}
	base.Network.RPCURL = "http://" + closed
	for _, tc := range []struct {
		name       string
		warn, fail uint64
		want       doctor.Status
	}{
		{"plenty", 1, 1, doctor.OK},
		{"below the warning", 1 << 62, 1, doctor.Warn},
		{"below the floor", 1 << 62, 1 << 62, doctor.Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			cfg.MinFreeBytes, cfg.FailFreeBytes, cfg.MinFreeRatio = tc.warn, tc.fail, 1e-9
			rs := doctor.Run(context.Background(), cfg)
			expect(t, rs, "disk", tc.want, "free of")
			expect(t, rs, "api", doctor.Fail, closed, "validator start")
			expect(t, rs, "store_schema", doctor.Skip)
		})
	}
}
