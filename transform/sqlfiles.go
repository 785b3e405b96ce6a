package transform

import (
	"embed"
	"text/template"

	"attrib/warehouse"
)

//go:embed sql/*.sql sql/*.tmpl
var sqlFS embed.FS

// SQL returns an embedded statement by file name (without .sql).
func SQL(name string) string { return warehouse.EmbeddedSQL(sqlFS, name+".sql") }

var tmpls = template.Must(template.ParseFS(sqlFS, "sql/*.sql.tmpl"))

// sqlTmpl renders the embedded template name.sql.tmpl with data.
func sqlTmpl(name string, data any) string {
	return warehouse.RenderSQL(tmpls, name+".sql.tmpl", data)
}

// tableData fills the per-table templates.
type tableData struct {
	Table    string
	NewLoads bool
}

func personIDsSQL(table string, newLoads bool) string {
	return sqlTmpl("person_ids", tableData{Table: warehouse.QuoteIdent(table), NewLoads: newLoads})
}

// pathData fills the path templates.
type pathData struct{ Incremental bool }
