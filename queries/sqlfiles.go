package queries

import (
	"embed"
	"text/template"

	"attrib/config"
	"attrib/warehouse"
)

// Every embedded SQL file is read (and every template parsed) once, when
// the package initialises, into package-level variables: a wrong name
// fails every test and every start, not the one run that reaches it.
// sqlfiles_test.go checks that each embedded file is loaded and that SQL
// is loaded nowhere else.

//go:embed sql/*.sql sql/*.sql.tmpl
var sqlFS embed.FS

var tmpls = template.Must(template.ParseFS(sqlFS, "sql/*.sql.tmpl"))

// sqlFiles records the embedded files read at start-up.
var sqlFiles = warehouse.NewSQLFiles(sqlFS)

// mustSQL reads sql/<name>.sql.
func mustSQL(name string) string { return sqlFiles.Must(name + ".sql") }

// namedSQL is one statement of a sequence and its file's name; tmpl is
// set instead of sql for a template rendered with the run's options.
type namedSQL struct {
	name, sql string
	tmpl      *template.Template
	passes    bool // run in passes over parts of the people (evalPerson)
	scoped    bool // run only in a scoped (incremental) evaluation
	// args, when set, are the statement's parameters, bound from the config.
	args func(*config.Config) []any
}

// mustSQLs reads several files, in order.
func mustSQLs(names ...string) []namedSQL {
	out := make([]namedSQL, len(names))
	for i, n := range names {
		out[i] = namedSQL{name: n, sql: mustSQL(n)}
	}
	return out
}

// mustTmpl finds the template sql/<name>.sql.tmpl.
func mustTmpl(name string) *template.Template {
	sqlFiles.Mark(name + ".sql.tmpl")
	t := tmpls.Lookup(name + ".sql.tmpl")
	if t == nil {
		panic("queries: no embedded template " + name + ".sql.tmpl")
	}
	return t
}

// render executes a template with data.
func render(t *template.Template, data any) string {
	return warehouse.RenderSQL(tmpls, t.Name(), data)
}
