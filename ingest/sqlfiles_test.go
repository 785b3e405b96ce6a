package ingest

import (
	"io/fs"
	"path"
	"slices"
	"testing"
)

// TestEveryEmbeddedSQLFileUsed: the embedded SQL files and the names the
// code looks up at package initialisation are the same set, so no file is
// dead and no name is looked up only when its branch runs.
func TestEveryEmbeddedSQLFileUsed(t *testing.T) {
	t.Parallel()
	var files []string
	err := fs.WalkDir(sqlFS, "sql", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path.Base(p))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var used []string
	for f := range sqlLookedUp {
		used = append(used, f)
	}
	slices.Sort(files)
	slices.Sort(used)
	if len(files) == 0 || !slices.Equal(files, used) {
		t.Fatalf("embedded sql files %v\nlooked up %v", files, used)
	}
}
