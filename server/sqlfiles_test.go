package server

import (
	"io/fs"
	"strings"
	"testing"
)

// TestEverySQLFileLoaded: each embedded SQL file is read when the package
// initialises, so none is dead and a wrong name fails at start-up.
func TestEverySQLFileLoaded(t *testing.T) {
	files, err := fs.Glob(sqlFS, "sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d embedded SQL files", len(files))
	}
	for _, p := range files {
		if !loadedSQL[strings.TrimPrefix(p, "sql/")] {
			t.Errorf("%s is embedded but never loaded", p)
		}
	}
	if len(loadedSQL) != len(files) {
		t.Errorf("%d files loaded, %d embedded", len(loadedSQL), len(files))
	}
}
