package ingest

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"

	"attrib/warehouse"
)

//go:embed sql/*.sql sql/*.tmpl
var sqlFS embed.FS

func mustSQL(name string) string {
	b, err := sqlFS.ReadFile("sql/" + name)
	if err != nil {
		panic(fmt.Sprintf("ingest: embedded %s: %v", name, err))
	}
	return string(b)
}

var (
	sqlParams       = mustSQL("params.sql")
	sqlCounts       = mustSQL("counts.sql")
	sqlFirstRejects = mustSQL("first_rejects.sql")
	sqlRejects      = mustSQL("rejects.sql")
	sqlFileRecord   = mustSQL("file_record.sql")
	sqlSeen         = mustSQL("seen.sql")
	insertTmpl      = template.Must(template.New("insert").Parse(mustSQL("insert.sql.tmpl")))
)

// tables maps each dataset to its table and row-id column.
var tables = map[string]struct{ Table, ID string }{
	"touchpoints":    {"touchpoints", "touchpoint_id"},
	"conversions":    {"conversions", "conversion_id"},
	"spend":          {"spend", "spend_id"},
	"identity_links": {"identity_links", "link_id"},
	"activity":       {"activity", "activity_id"},
	"fx_rates":       {"fx_rates", "fx_id"},
}

func typedSQL(dataset string) string { return mustSQL("typed_" + dataset + ".sql") }

func insertSQL(dataset string) string {
	t := tables[dataset]
	var b bytes.Buffer
	_ = insertTmpl.Execute(&b, struct{ Table, ID string }{warehouse.QuoteIdent(t.Table), warehouse.QuoteIdent(t.ID)})
	return b.String()
}
