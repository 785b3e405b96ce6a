package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"attrib/testkit"
	"attrib/warehouse"
)

func TestUserMessage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"query: queries: Binder Error: x":          "query: Binder Error: x",
		"server: listen: address in use":           "listen: address in use",
		"run: jobs: transform: mmm: fit TV: boom":  "run: fit TV: boom",
		"config: a.yaml: line 3: ingest: expected": "config: a.yaml: line 3: ingest: expected",
		"no package here":                          "no package here",
	} {
		if got := userMessage(errors.New(in)); got != want {
			t.Errorf("userMessage(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestQueryBeforeFirstRun: a published table queried before any run says
// so, without DuckDB's "Did you mean" or a package name.
func TestQueryBeforeFirstRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// serve.http on a free port and --via local: the queries must never reach
	// whatever listens on the default 127.0.0.1:8080.
	yaml := "warehouse: {path: w.duckdb}\npii: {key: k}\njobs:\n  - {name: daily, steps: [transform]}\nserve: {http: " + testkit.FreeAddr(t) + "}\n"
	if err := os.WriteFile(filepath.Join(dir, "attrib.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	// The warehouse exists but nothing was published.
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: filepath.Join(dir, "w.duckdb"), TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, dir, "query", "--via", "local", "SELECT * FROM channel_performance")
	code := c.wait(t, time.Minute)
	_, errOut := c.output()
	if code == 0 || !strings.Contains(errOut, "no run has finished yet") || strings.Contains(errOut, "Did you mean") || strings.Contains(errOut, "queries:") {
		t.Fatalf("query before the first run: exit %d, stderr %q", code, errOut)
	}
	if code, _ := runChild(t, dir, "run"); code != 0 {
		t.Fatalf("run: exit %d", code)
	}
	// After a run a misspelt table is DuckDB's own error, without the package name.
	c = startChild(t, dir, "query", "--via", "local", "SELECT * FROM no_such_table")
	code = c.wait(t, time.Minute)
	_, errOut = c.output()
	if code == 0 || strings.Contains(errOut, "no run has finished yet") || strings.Contains(errOut, "queries:") || !strings.Contains(errOut, "no_such_table") {
		t.Fatalf("misspelt table after a run: exit %d, stderr %q", code, errOut)
	}
}
