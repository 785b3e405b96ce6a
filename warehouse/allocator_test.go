package warehouse

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
)

// The pipeline's (writable) instance keeps freed memory for reuse; a read-only instance keeps
// DuckDB's defaults (allocator.go).
func TestWritableInstanceKeepsFreedMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	flushThresholds := func(w *Warehouse) (int64, int64) {
		t.Helper()
		var a, b string
		err := w.DB().QueryRowContext(ctx, "SELECT current_setting('allocator_flush_threshold')::VARCHAR, "+
			"current_setting('allocator_bulk_deallocation_flush_threshold')::VARCHAR").Scan(&a, &b)
		if err != nil {
			t.Fatal(err)
		}
		x, y := ParseMemorySetting(a), ParseMemorySetting(b)
		if x == 0 || y == 0 {
			t.Fatalf("cannot read the allocator flush thresholds %q and %q", a, b)
		}
		return x, y
	}
	w, err := Open(ctx, Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	a, b := flushThresholds(w)
	if a < 512<<30 || b < 512<<30 {
		t.Errorf("writable: allocator flush thresholds %d and %d bytes, want beyond reach (1 TB)", a, b)
	}
	w.ReleaseMemory()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if a, b := flushThresholds(r); a > 1<<30 || b > 1<<30 {
		t.Errorf("read-only: allocator flush thresholds %d and %d bytes, want DuckDB's defaults (128 MiB, 512 MiB)", a, b)
	}
}

// An operator's DUCKDB_JE_MALLOC_CONF leaves DuckDB's allocator settings alone.
func TestOperatorAllocatorConfWins(t *testing.T) {
	t.Setenv("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:5000")
	p := url.Values{}
	allocatorParams(p, false)
	if len(p) != 0 {
		t.Fatalf("params %v, want none", p)
	}
	t.Setenv("DUCKDB_JE_MALLOC_CONF", "")
	allocatorParams(p, true)
	if len(p) != 0 {
		t.Fatalf("read-only: params %v, want none", p)
	}
	allocatorParams(p, false)
	if p.Get("allocator_flush_threshold") != noAllocatorFlush || p.Get("allocator_bulk_deallocation_flush_threshold") != noAllocatorFlush {
		t.Fatalf("writable: params %v", p)
	}
}
