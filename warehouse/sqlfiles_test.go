package warehouse

import (
	"io/fs"
	"strings"
	"testing"
)

// TestEverySQLFileLoaded: each embedded publish statement is read at
// start-up (migrations are all applied by Migrate and tested there).
func TestEverySQLFileLoaded(t *testing.T) {
	files, err := fs.Glob(publishFS, "sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no embedded SQL files")
	}
	for _, p := range files {
		if !loadedSQL[strings.TrimPrefix(p, "sql/")] {
			t.Errorf("%s is embedded but never loaded", p)
		}
	}
}
