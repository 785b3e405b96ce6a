package schema_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"attrib/schema"
)

var update = flag.Bool("update", false, "rewrite docs/tables.md from the catalogue")

// TestTablesDoc: docs/tables.md is exactly the rendering of schema.Catalogue.
func TestTablesDoc(t *testing.T) {
	path := filepath.Join("..", "docs", "tables.md")
	want := schema.RenderTablesDoc()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -tags duckdb_arrow ./schema -run TestTablesDoc -update)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/tables.md differs from schema.Catalogue: run go test -tags duckdb_arrow ./schema -run TestTablesDoc -update")
	}
}
