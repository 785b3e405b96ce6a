package warehouse

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

func TestDefaultMemoryLimit(t *testing.T) {
	t.Parallel()
	const gib = 1 << 30
	for _, c := range []struct {
		total uint64
		want  string
	}{
		{0, ""},                                // unknown: DuckDB's own default
		{2 * gib, "1024MiB"},                   // 170 MiB is under the 1 GiB floor
		{12 * gib, "1024MiB"},                  // exactly the floor
		{15 * gib, "1280MiB"},                  // 15360 MiB / 12
		{24 * gib, "2048MiB"},                  // this machine kind: 2 GiB
		{24*gib + 12*(1<<20) + 5, "2049MiB"},   // rounded down to whole MiB
		{192 * gib, "16384MiB"},                // exactly the ceiling
		{1024 * gib, "16384MiB"},               // 85 GiB capped at 16 GiB
		{100 * 1000 * 1000, "1024MiB"},         // a 100 MB container
		{60 * gib, fmt.Sprint(5*1024) + "MiB"}, // 61440 MiB / 12
	} {
		if got := DefaultMemoryLimit(c.total); got != c.want {
			t.Errorf("DefaultMemoryLimit(%d) = %q, want %q", c.total, got, c.want)
		}
	}
}

func TestCheckMemoryLimit(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "4GB", "4 GB", "1536MiB", "0.5GB", "2gib", "512KB"} {
		if err := CheckMemoryLimit(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"4 gigs", "GB", "-1GB", "lots", "4GB;", "1073741824", "75%"} {
		if err := CheckMemoryLimit(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestMemoryLimitReachesDuckDB(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	// Default: a share of this machine's memory, not DuckDB's 80%.
	w, err := Open(ctx, Options{Path: filepath.Join(dir, "d.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	total := machineMemory()
	if total == 0 {
		t.Fatal("machine memory unknown on linux")
	}
	want := min(max(total/12, 1<<30), 16<<30) / (1 << 20) * (1 << 20)
	var got string
	if err := w.DB().QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != duckdbBytes(want) {
		t.Errorf("default memory_limit %s, want %s (%d bytes)", got, duckdbBytes(want), want)
	}
	if w.Options().MemoryLimit != DefaultMemoryLimit(total) {
		t.Errorf("Options().MemoryLimit %q", w.Options().MemoryLimit)
	}
	// A configured value wins.
	w2, err := Open(ctx, Options{Path: filepath.Join(dir, "c.duckdb"), MemoryLimit: "1536MiB"})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if err := w2.DB().QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "1.5 GiB" {
		t.Errorf("configured memory_limit 1536MiB shows as %s", got)
	}
}

// duckdbBytes formats n bytes as DuckDB shows a memory setting: one decimal
// (cut, not rounded) in the largest binary unit it reaches.
func duckdbBytes(n uint64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.1f %s", math.Floor(v*10)/10, units[u])
}
