package queries

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"attrib/testkit"
)

// TestEverySQLFileLoaded: each embedded file is read at start-up
// (sqlfiles.go), so none is dead and none is looked up in the middle of a run.
func TestEverySQLFileLoaded(t *testing.T) {
	t.Parallel()
	unread, err := sqlFiles.Unread("*")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range unread {
		t.Errorf("%s is embedded but never loaded", p)
	}
}

// TestSQLLoadedOnlyAtStartUp: mustSQL, mustSQLs and mustTmpl are called
// only in package-level variable declarations, and every such variable is
// used outside its declaration.
func TestSQLLoadedOnlyAtStartUp(t *testing.T) {
	t.Parallel()
	loaders := map[string]bool{"mustSQL": true, "mustSQLs": true, "mustTmpl": true}
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	declared := map[string]bool{}
	uses := map[string]int{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") || name == "sqlfiles.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		atInit := map[*ast.CallExpr]bool{}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					ast.Inspect(v, func(n ast.Node) bool {
						if call, ok := n.(*ast.CallExpr); ok {
							if id, ok := call.Fun.(*ast.Ident); ok && loaders[id.Name] {
								atInit[call] = true
								declared[vs.Names[i].Name] = true
							}
						}
						return true
					})
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if id, ok := x.Fun.(*ast.Ident); ok && loaders[id.Name] && !atInit[x] {
					t.Errorf("%s: %s called outside a package-level variable", fset.Position(x.Pos()), id.Name)
				}
			case *ast.Ident:
				uses[x.Name]++
			}
			return true
		})
	}
	if len(declared) < 10 {
		t.Fatalf("only %d SQL variables found", len(declared))
	}
	for v := range declared {
		if uses[v] < 2 { // the declaration itself is one
			t.Errorf("%s is loaded but never used", v)
		}
	}
}

// The evaluation's semi joins on eval_scope (the people an incremental evaluation rebuilds) keep a
// filter of their own, person_id > ”, so that DuckDB pushes a Bloom filter into the scan of the
// large table (as transform's TestPeopleSemiJoinsKeepTheirFilter checks for inc_aff).
func TestScopeSemiJoinsKeepTheirFilter(t *testing.T) {
	t.Parallel()
	testkit.SemiJoinsFiltered(t, sqlFS, "eval_scope", 3)
}
