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

// Freed memory stays with jemalloc until ReleaseMemory hands it back. Not parallel: other tests'
// allocations in the same process would move the figures.
func TestReleaseMemoryHandsKeptPagesBack(t *testing.T) {
	ctx := context.Background()
	w, err := Open(ctx, Options{Path: t.TempDir() + "/w.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// About 200 MB of rows, then freed.
	for _, q := range []string{
		"CREATE TEMP TABLE x AS SELECT range AS i, repeat('x', 100) AS s FROM range(2000000)",
		"SELECT count(DISTINCT s || i) FROM x",
		"DROP TABLE x",
	} {
		if _, err := w.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before, ok := keptBytes()
	if !ok {
		t.Fatal("cannot read jemalloc's statistics")
	}
	if before < 64<<20 {
		t.Fatalf("jemalloc keeps %d bytes after freeing about 200 MB, want them kept for reuse", before)
	}
	w.ReleaseMemory()
	if after, _ := keptBytes(); after > before/8 {
		t.Fatalf("jemalloc keeps %d bytes after ReleaseMemory (%d before), want them handed back", after, before)
	}
}
