package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attrib/config"
	"attrib/server"
	"attrib/testkit"
	"attrib/warehouse"
)

// TestQueryViaServe: `attrib query` sends its statement to a running serve
// (its HTTP API) and prints the same as the local read-only path.
func TestQueryViaServe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	ln := testkit.Listen(t)
	yaml := "warehouse:\n  path: attrib.duckdb\nserve:\n  http: " + ln.Addr().String() + "\n  users:\n    - name: analyst\n      token: tok-1\n"
	cfgPath := filepath.Join(dir, "attrib.yaml")
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	w := testkit.Warehouse(t, warehouse.Options{Path: cfg.WarehousePath(), TimeZone: "UTC"})
	if _, err := w.DB().ExecContext(ctx, "CREATE TABLE t AS SELECT i, 'r' || i AS s, i * 1.25::DECIMAL(10,2) AS d FROM range(3) x(i)"); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)

	run := func(args ...string) (string, error) {
		cmd := newQueryCmd(&globalFlags{config: cfgPath})
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(args)
		cmd.SetContext(ctx)
		err := cmd.Execute()
		return out.String(), err
	}
	for _, f := range []string{"csv", "json", "table"} {
		got, err := run("--via", "serve", "--format", f, "SELECT * FROM t ORDER BY i")
		if err != nil {
			t.Fatalf("%s via serve: %v", f, err)
		}
		if !strings.Contains(got, "r2") || !strings.Contains(got, "2.5") {
			t.Errorf("%s via serve:\n%s", f, got)
		}
		if f == "csv" && got != "i,s,d\n0,r0,0\n1,r1,1.25\n2,r2,2.5\n" {
			t.Errorf("csv via serve %q", got)
		}
	}
	got, err := run("--via", "serve", "--format", "parquet", "SELECT * FROM t")
	if err != nil || !strings.HasPrefix(got, "PAR1") || !strings.HasSuffix(got, "PAR1") {
		t.Errorf("parquet via serve: %v (%d bytes)", err, len(got))
	}
	if _, err := run("--via", "serve", "DROP TABLE t"); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("DROP via serve: %v", err)
	}
	// Serve stops: --via serve fails, auto falls back to the file.
	hs.Close()
	srv.Close()
	if _, err := run("--via", "serve", "SELECT 1"); err == nil {
		t.Error("--via serve worked without a serve")
	}
	w.Close()
	got, err = run("--format", "csv", "SELECT * FROM t ORDER BY i")
	if err != nil || got != "i,s,d\n0,r0,0\n1,r1,1.25\n2,r2,2.5\n" {
		t.Errorf("local fallback: %v %q", err, got)
	}
}
