package warehouse_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attrib/testkit"
	"attrib/warehouse"
)

// TestQueryLog: with Options.QueryLog set, the statements of the instance are in DuckDB's log
// file in that folder once the warehouse is closed.
func TestQueryLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := testkit.Warehouse(t, warehouse.Options{QueryLog: dir})
	if _, err := w.DB().ExecContext(context.Background(), "SELECT 42 AS profiled_statement"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "duckdb_log_entries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "SELECT 42 AS profiled_statement") {
		t.Fatalf("query log does not hold the statement:\n%s", b)
	}
}
