package jobs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEverySQLFileLoaded: each embedded SQL file is read at start-up into a
// package-level variable (sql.go), and each such variable is used.
func TestEverySQLFileLoaded(t *testing.T) {
	t.Parallel()
	unread, err := sqlFiles.Unread("*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range unread {
		t.Errorf("%s is embedded but never loaded", p)
	}
	files, err := fs.Glob(sqlFS, "sql/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	uses := map[string]int{}
	var declared []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				uses[id.Name]++
			}
			if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
				if call, ok := vs.Values[0].(*ast.CallExpr); ok {
					if fn, ok := call.Fun.(*ast.Ident); ok && fn.Name == "mustSQL" {
						declared = append(declared, vs.Names[0].Name)
					}
				}
			}
			return true
		})
	}
	if len(declared) != len(files) {
		t.Errorf("%d statements declared, %d files embedded", len(declared), len(files))
	}
	for _, v := range declared {
		if uses[v] < 2 { // the declaration itself is one
			t.Errorf("%s is loaded but never used", v)
		}
	}
}
