package ingest

import (
	"bytes"
	"embed"
	"strings"
	"text/template"

	"attrib/warehouse"
)

//go:embed sql/*.sql sql/*.tmpl
var sqlFS embed.FS

func mustSQL(file string) string { return warehouse.EmbeddedSQL(sqlFS, file) }

var (
	sqlParams         = mustSQL("params.sql")
	sqlFirstRejects   = mustSQL("first_rejects.sql")
	sqlRejects        = mustSQL("rejects.sql")
	sqlFileRecord     = mustSQL("file_record.sql")
	sqlSeen           = mustSQL("seen.sql")
	sqlDropTemps      = mustSQL("drop_temps.sql")
	sqlDropCSVRejects = mustSQL("drop_csv_rejects.sql")
	sqlCSVRejects     = mustSQL("csv_rejects.sql")
	sqlNoCSVRejects   = mustSQL("no_csv_rejects.sql")
	sqlNoRawRejects   = mustSQL("no_raw_rejects.sql")
	sqlAllRejects     = mustSQL("all_rejects.sql")
	insertTmpl        = template.Must(template.New("insert").Parse(mustSQL("insert.sql.tmpl")))
	countsTmpl        = template.Must(template.New("counts").Parse(mustSQL("counts.sql.tmpl")))
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

// typedSQL is the dataset's typing query reading straight from the staging
// select (the .sql files name it stg), so the file is read and typed in one pass.
func typedSQL(dataset, staging string) string {
	return strings.Replace(mustSQL("typed_"+dataset+".sql"), "FROM stg s", "FROM ("+staging+") s", 1)
}

// insertSQL inserts the good rows of typed into the dataset's table; dedupe
// keeps only the first of rows sharing an id within the file.
func insertSQL(dataset string, dedupe bool) string {
	t := tables[dataset]
	var b bytes.Buffer
	_ = insertTmpl.Execute(&b, struct {
		Table, ID string
		Dedupe    bool
	}{warehouse.QuoteIdent(t.Table), warehouse.QuoteIdent(t.ID), dedupe})
	return b.String()
}

// countsSQL counts the rows of typed (see counts.sql.tmpl).
func countsSQL(dataset string) string {
	var b bytes.Buffer
	_ = countsTmpl.Execute(&b, struct{ ID string }{warehouse.QuoteIdent(tables[dataset].ID)})
	return b.String()
}
