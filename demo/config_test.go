package demo

import (
	"net"
	"testing"

	"attrib/config"
)

// TestDemoConfigServesOnLoopback: the generated config opens the dashboard
// without a password, and only on the loopback interface.
func TestDemoConfigServesOnLoopback(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse([]byte(configYAML()), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Serve.Anonymous {
		t.Error("demo config: serve.anonymous is off, the dashboard would answer 401")
	}
	for _, addr := range []string{cfg.Serve.HTTP, cfg.Serve.Postgres} {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("%q: %v", addr, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			t.Errorf("demo config listens on %q, not loopback", addr)
		}
	}
}
