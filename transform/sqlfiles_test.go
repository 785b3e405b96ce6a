package transform

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"attrib/testkit"
)

// loaders are the functions that read embedded SQL (sqlfiles.go).
var loaders = map[string]bool{"mustSQL": true, "mustRender": true, "renderModes": true, "renderTables": true, "renderRewrites": true, "renderParts": true, "renderModeParts": true}

// Every embedded SQL file is loaded when the package initialises.
func TestEverySQLFileLoaded(t *testing.T) {
	t.Parallel()
	n := 0
	err := fs.WalkDir(sqlFS, "sql", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		if file := strings.TrimPrefix(p, "sql/"); !loaded[file] {
			t.Errorf("%s is embedded but never loaded (sqlfiles.go)", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("only %d embedded SQL files found", n)
	}
}

// SQL is loaded only into package-level variables (so at start-up, never in the middle of a
// run), and every such variable is used by the package's code.
func TestEverySQLStatementUsed(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// The package-level variables set from a loader, and the loader calls inside them.
	statements := map[*ast.Ident]bool{}
	atInit := map[*ast.CallExpr]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					if call := loaderCall(v); call != nil {
						atInit[call] = true
						statements[vs.Names[i]] = true
					}
				}
			}
		}
	}
	if len(statements) < 50 {
		t.Errorf("only %d SQL variables found", len(statements))
	}
	uses := map[string]int{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if fn, ok := x.Fun.(*ast.Ident); ok && loaders[fn.Name] && !atInit[x] && !insideLoader(files, x) {
					t.Errorf("%s: %s called outside a package-level variable", fset.Position(x.Pos()), fn.Name)
				}
			case *ast.Ident:
				if !statements[x] {
					uses[x.Name]++
				}
			}
			return true
		})
	}
	for id := range statements {
		if uses[id.Name] == 0 {
			t.Errorf("%s: %s is loaded but never used", fset.Position(id.Pos()), id.Name)
		}
	}
}

// loaderCall returns e when it is a direct call of a loader.
func loaderCall(e ast.Expr) *ast.CallExpr {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	if fn, ok := call.Fun.(*ast.Ident); ok && loaders[fn.Name] {
		return call
	}
	return nil
}

// insideLoader reports whether call is in the body of a loader (renderModes calls mustRender).
func insideLoader(files []*ast.File, call *ast.CallExpr) bool {
	for _, f := range files {
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if ok && fd.Recv == nil && loaders[fd.Name.Name] && fd.Body.Pos() <= call.Pos() && call.End() <= fd.Body.End() {
				return true
			}
		}
	}
	return false
}

// A semi join on a small table of people (inc_aff, eval_scope) against a large table gets a Bloom
// filter pushed into the large table's scan only when its build side has a filter of its own
// (DuckDB 1.5), so each such subquery keeps one that is always true: person_id > ” (README.md,
// "Semi joins on a few people"). Without it the statement still answers right, only slower.
func TestPeopleSemiJoinsKeepTheirFilter(t *testing.T) {
	t.Parallel()
	testkit.SemiJoinsFiltered(t, sqlFS, "inc_aff", 10)
}
