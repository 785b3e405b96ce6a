//go:build linux && amd64 && !duckdb_use_lib && !duckdb_use_static_lib

package warehouse

import (
	"context"
	"testing"
)

// Opening a writable warehouse switches jemalloc's decay off in DuckDB's bundled allocator, so
// freed pages stay for reuse; releasing them leaves the setting as it is.
func TestJemallocDecayOff(t *testing.T) {
	t.Parallel()
	w, err := Open(context.Background(), Options{Path: t.TempDir() + "/w.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB().Exec("CREATE TEMP TABLE x AS SELECT range AS i, repeat('x', 100) AS s FROM range(2000000)"); err != nil {
		t.Fatal(err)
	}
	d, ok := arenaDecay()
	if !ok || d != -1 {
		t.Fatalf("jemalloc arena 0 dirty decay = %d (read: %v), want -1", d, ok)
	}
	w.ReleaseMemory()
	if d, _ := arenaDecay(); d != -1 {
		t.Fatalf("after ReleaseMemory: decay %d, want -1", d)
	}
}
