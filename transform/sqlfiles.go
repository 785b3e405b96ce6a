package transform

import (
	"bytes"
	"embed"
	"text/template"

	"attrib/warehouse"
)

//go:embed sql/*.sql sql/*.tmpl
var sqlFS embed.FS

// SQL returns an embedded statement by file name (without .sql).
func SQL(name string) string { return warehouse.EmbeddedSQL(sqlFS, name+".sql") }

var personTmpl = template.Must(template.ParseFS(sqlFS, "sql/person_ids.sql.tmpl"))

func personIDsSQL(table string) string {
	var b bytes.Buffer
	_ = personTmpl.Execute(&b, struct{ Table string }{warehouse.QuoteIdent(table)})
	return b.String()
}
