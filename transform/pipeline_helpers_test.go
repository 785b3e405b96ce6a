package transform_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"attrib/config"
	"attrib/ingest"
	"attrib/queries"
	"attrib/testkit"
	"attrib/transform"
	"attrib/warehouse"
)

// copyInto copies files into dir, creating folders as needed (dst relative to dir).
func copyInto(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	bodies := make(map[string]string, len(files))
	for dst, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		bodies[dst] = string(b)
	}
	writeFiles(t, dir, bodies)
}

// writeFiles writes each body into dir under its name, creating folders as needed.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// openConfig loads dir/attrib.yaml and opens its warehouse.
func openConfig(t *testing.T, dir string) (*config.Config, *warehouse.Warehouse) {
	t.Helper()
	return testkit.OpenDir(t, dir)
}

// runPipeline does what a run of the jobs package does: ingest, transform, evaluation
// tables, atomic publish.
func runPipeline(t *testing.T, cfg *config.Config, w *warehouse.Warehouse) transform.Result {
	t.Helper()
	ctx := context.Background()
	if _, err := ingest.Run(ctx, w, cfg, ingest.Options{}); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	var res transform.Result
	err := w.Conn(ctx, func(c *sql.Conn) error {
		var err error
		if res, err = transform.Run(ctx, c, cfg, nil); err != nil {
			return err
		}
		if err := queries.Build(ctx, c, cfg); err != nil {
			return err
		}
		commit := func(tx *sql.Tx) error { return res.Commit(ctx, tx) }
		return warehouse.PublishDeltas(ctx, c, append(slices.Clone(transform.Published), queries.Published...), res.Deltas, commit)
	})
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	return res
}
