package config

import (
	"strings"
	"testing"
)

func TestServeValidation(t *testing.T) {
	t.Parallel()
	base := "warehouse:\n  path: a.duckdb\n"
	for _, c := range []struct{ yaml, want string }{
		{"serve:\n  users:\n    - name: a\n      password: p\n    - name: a\n      token: t\n", "name used twice"},
		{"serve:\n  users:\n    - password: p\n", "name is required"},
		{"serve:\n  users:\n    - name: a\n", "needs a password or a token"},
		{"serve:\n  tls_cert: c.pem\n", "tls_cert and tls_key go together"},
		{"serve:\n  max_rows: -1\n", "max_rows"},
		{"serve:\n  statement_timeout: 1x\n", "invalid duration"},
		{"serve:\n  max_result_bytes: -1\n", "serve.max_result_bytes: must not be negative"},
		{"serve:\n  idle_timeout: -1s\n", "serve.idle_timeout: must not be negative"},
		{"serve:\n  max_connections_per_client: -2\n", "serve.max_connections_per_client: must not be negative"},
	} {
		_, err := Parse([]byte(base+c.yaml), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.want)
		}
	}
	cfg, err := Parse([]byte(base+"serve:\n  anonymous: true\n  statement_timeout: 5s\n  max_rows: 10\n  users:\n    - name: a\n      password: p\n      token: t\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Serve.Anonymous || cfg.Serve.StatementTimeout.Seconds() != 5 || cfg.Serve.MaxRows != 10 || cfg.Serve.Users[0].Token != "t" {
		t.Errorf("serve = %+v", cfg.Serve)
	}
}
