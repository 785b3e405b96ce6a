package config

import (
	"strings"
	"testing"
)

// TestWarehouseResourceSettings: memory limits DuckDB would refuse (a bare
// number, a percentage, a word) and negative threads are config errors that
// name the key; valid sizes pass through unchanged (the default itself is
// computed by warehouse.DefaultMemoryLimit when the key is empty).
func TestWarehouseResourceSettings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ yaml, want string }{
		{"warehouse:\n  memory_limit: 75%\n", `warehouse.memory_limit: "75%" is not a memory size`},
		{"warehouse:\n  memory_limit: \"4096\"\n", `warehouse.memory_limit: "4096" is not a memory size`},
		{"warehouse:\n  memory_limit: lots\n", `warehouse.memory_limit: "lots"`},
		{"serve:\n  memory_limit: 2 gigs\n", `serve.memory_limit: "2 gigs"`},
		{"warehouse:\n  threads: -1\n", "warehouse.threads: -1"},
	} {
		_, err := Parse([]byte(c.yaml), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.want)
		}
	}
	cfg, err := Parse([]byte("warehouse:\n  memory_limit: 1536MiB\n  threads: 2\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Warehouse.MemoryLimit != "1536MiB" || cfg.Warehouse.Threads != 2 {
		t.Errorf("warehouse settings %+v", cfg.Warehouse)
	}
	cfg, err = Parse([]byte(""), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Warehouse.MemoryLimit != "" {
		t.Errorf("memory_limit default %q, want empty (computed when the warehouse opens)", cfg.Warehouse.MemoryLimit)
	}
}
