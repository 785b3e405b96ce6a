package ingest

import (
	"embed"
	"fmt"
	"strings"
	"text/template"

	"attrib/schema"
	"attrib/warehouse"
)

//go:embed sql/*.sql sql/*.tmpl
var sqlFS embed.FS

// sqlLookedUp names the embedded files the code reads. Every one is read
// (and every template parsed) at package initialisation, through mustSQL,
// so a misspelt name fails every test, not only the branch that runs it;
// TestEveryEmbeddedSQLFileUsed checks that no file is left unread.
var sqlLookedUp = map[string]bool{}

// mustSQL returns sql/<file>; called at package initialisation only.
func mustSQL(file string) string {
	sqlLookedUp[file] = true
	return warehouse.EmbeddedSQL(sqlFS, file)
}

var (
	sqlParams            = mustSQL("params.sql")
	sqlFirstRejects      = mustSQL("first_rejects.sql")
	sqlRejects           = mustSQL("rejects.sql")
	sqlFileRecord        = mustSQL("file_record.sql")
	sqlSeen              = mustSQL("seen.sql")
	sqlRecorded          = mustSQL("recorded.sql")
	sqlUnchanged         = mustSQL("unchanged.sql")
	sqlDropTemps         = mustSQL("drop_temps.sql")
	sqlDropCSVRejects    = mustSQL("drop_csv_rejects.sql")
	sqlCSVRejects        = mustSQL("csv_rejects.sql")
	sqlNoCSVRejects      = mustSQL("no_csv_rejects.sql")
	sqlNoRawRejects      = mustSQL("no_raw_rejects.sql")
	sqlNoTypedRejects    = mustSQL("no_typed_rejects.sql")
	sqlCheckCounts       = mustSQL("check_counts.sql")
	sqlAllRejects        = mustSQL("all_rejects.sql")
	sqlCSVMapCreate      = mustSQL("csv_map_create.sql")
	sqlJSONLineRejects   = mustSQL("json_line_rejects.sql")
	sqlJSONLineKeys      = mustSQL("json_line_keys.sql")
	sqlJSONLineKeysList  = mustSQL("json_line_keys_list.sql")
	sqlUnorderedInsert   = mustSQL("unordered_insert.sql")
	sqlKeyedRejects      = mustSQL("keyed_rejects.sql")
	sqlCheckRejects      = mustSQL("check_rejects.sql")
	sqlCSVRejectLines    = mustSQL("csv_reject_lines.sql")
	sqlTypedRejectLines  = mustSQL("typed_reject_lines.sql")
	sqlCountTypedRejects = mustSQL("count_typed_rejects.sql")
	sqlOrderedInsert     = mustSQL("ordered_insert.sql")
	sqlFastEligible      = mustSQL("fast_eligible.sql")
	insertTmpl           = template.Must(template.New("insert").Parse(mustSQL("insert.sql.tmpl")))
	dropLoadedTmpl       = template.Must(template.New("drop_loaded").Parse(mustSQL("drop_loaded.sql.tmpl")))
	tableHasRowsTmpl     = template.Must(template.New("table_has_rows").Parse(mustSQL("table_has_rows.sql.tmpl")))
	countsTmpl           = template.Must(template.New("counts").Parse(mustSQL("counts.sql.tmpl")))
	fastInsertTmpl       = template.Must(template.New("fast_insert").Parse(mustSQL("fast_insert.sql.tmpl")))
	fastCheckTmpl        = template.Must(template.New("fast_check").Parse(mustSQL("fast_check.sql.tmpl")))
	fastIDsTmpl          = template.Must(template.New("fast_ids").Parse(mustSQL("fast_ids.sql.tmpl")))
	fastIDHashesTmpl     = template.Must(template.New("fast_id_hashes").Parse(mustSQL("fast_id_hashes.sql.tmpl")))
	typedRejectsTmpl     = template.Must(template.New("typed_rejects").Parse(mustSQL("typed_rejects.sql.tmpl")))
	typedTmpls           = map[string]*template.Template{}
)

// tables maps each dataset to its table and row-id column, and datasets
// each to its definition (schema.Datasets).
var (
	tables   = map[string]struct{ Table, ID string }{}
	datasets = map[string]schema.Dataset{}
)

func init() {
	for _, d := range schema.Datasets {
		tables[d.Name] = struct{ Table, ID string }{d.Name, d.ID}
		datasets[d.Name] = d
		typedTmpls[d.Name] = template.Must(template.New(d.Name).Funcs(datasetFuncs(d, nil)).Parse(mustSQL("typed_" + d.Name + ".sql.tmpl")))
	}
}

// typingFuncs are the functions of the typed_<dataset>.sql.tmpl templates
// that read one column (datasetFuncs adds those that follow from the
// dataset's definition). Each takes a canonical column name and returns the
// SQL that reads it from the staging select s: the text parsing rule
// (migrations 0001/0011) for a column that arrives as text, a plain cast for
// one that arrives natively typed (a Parquet or Arrow timestamp, date,
// decimal or integer; see nativeRole). The two give the same value for every
// natively typed value, so row ids do not depend on the format a row came in.
func typingFuncs(native map[string]bool) template.FuncMap {
	col := func(name string) string { return "s." + warehouse.QuoteIdent(name) }
	pick := func(text, typed string) func(string) string {
		return func(name string) string {
			if native[name] {
				return fmt.Sprintf(typed, col(name))
			}
			return fmt.Sprintf(text, col(name))
		}
	}
	return template.FuncMap{
		// A text time with a '-' or ':' is not the all-digits epoch form, so the
		// macro would try DuckDB's cast first anyway: trying it here saves the
		// macro's regular expression on the common path; same result.
		"ts": func(name string) string {
			c := col(name)
			if native[name] {
				return "CAST(" + c + " AS TIMESTAMPTZ)"
			}
			return "coalesce(CASE WHEN contains(" + c + ", '-') OR contains(" + c + ", ':') THEN TRY_CAST(" + c + " AS TIMESTAMPTZ) END, attrib_parse_ts(" + c + "))"
		},
		"date":  pick("attrib_parse_date(%s)", "CAST(CAST(%s AS TIMESTAMPTZ) AS DATE)"),
		"money": pick("attrib_parse_money(%s)", "TRY_CAST(%s AS DECIMAL(18, 4))"),
		"int":   pick("try_cast(trim(%s) AS BIGINT)", "TRY_CAST(%s AS BIGINT)"),
		"rate":  pick("try_cast(trim(%s) AS DECIMAL(18, 8))", "TRY_CAST(%s AS DECIMAL(18, 8))"),
		"raw":   pick("%s", "CAST(%s AS VARCHAR)"),
		// num is a DOUBLE (estimates and their errors); NaN and infinities
		// come through and are rejected by the template.
		"num": pick("try_cast(trim(%s) AS DOUBLE)", "TRY_CAST(%s AS DOUBLE)"),
		// text is a text column trimmed of spaces, NULL when empty; trim only
		// when an end is a space, which is most of trim's cost saved.
		"text": func(name string) string {
			c := col(name)
			return "CASE WHEN starts_with(" + c + ", ' ') OR ends_with(" + c + ", ' ') THEN nullif(trim(" + c + "), '') ELSE nullif(" + c + ", '') END"
		},
		"blank": func(name string) string {
			if native[name] {
				return "(" + col(name) + " IS NULL)"
			}
			return "(" + col(name) + " IS NULL OR trim(" + col(name) + ") = '')"
		},
	}
}

// datasetFuncs are typingFuncs and the two functions that write the parts
// of a typing query that follow from the dataset's definition d
// (schema.Datasets): parse types every input column by its parse rule
// (schema.Field.Parse; see parseSQL), columns lists the typed columns after
// the row id in the table's order (see columnsSQL). A column the template
// computes (a Field with As, or one not read from files) takes its SQL from
// the template: {{columns "revenue" "<SQL>"}}.
func datasetFuncs(d schema.Dataset, native map[string]bool) template.FuncMap {
	f := typingFuncs(native)
	f["parse"] = func() (string, error) { return parseSQL(d, f) }
	f["columns"] = func(computed ...string) (string, error) { return columnsSQL(d, computed) }
	return f
}

// parseSQL types every input column of the dataset by its parse rule with
// the functions f of typingFuncs: one "<SQL> AS <name>" per column (name
// the Field's As when it has one), comma-separated, in the table's order.
func parseSQL(d schema.Dataset, f template.FuncMap) (string, error) {
	fn := func(name string) func(string) string { return f[name].(func(string) string) }
	var lines []string
	for _, c := range d.Inputs() {
		var expr string
		s := "s." + warehouse.QuoteIdent(c.Name)
		switch c.Parse {
		case schema.ParseText:
			expr = fn("text")(c.Name)
		case schema.ParseLower:
			expr = "lower(" + fn("text")(c.Name) + ")"
		case schema.ParseUpper:
			expr = "upper(" + fn("text")(c.Name) + ")"
		case schema.ParseCurrency:
			expr = "coalesce(upper(" + fn("text")(c.Name) + "), p.currency)"
		case schema.ParseTimestamp:
			expr = fn("ts")(c.Name)
		case schema.ParseDate:
			expr = fn("date")(c.Name)
		case schema.ParseMoney:
			expr = fn("money")(c.Name)
		case schema.ParseInteger:
			expr = fn("int")(c.Name)
		case schema.ParseRate:
			expr = fn("rate")(c.Name)
		case schema.ParseNumber:
			expr = fn("num")(c.Name)
		case schema.ParseEmail:
			expr = "attrib_hmac(attrib_norm_email(" + s + "), p.ipad, p.opad)"
		case schema.ParsePhone:
			expr = "attrib_hmac(attrib_norm_phone(" + s + ", p.country_code), p.ipad, p.opad)"
		default:
			return "", fmt.Errorf("%s.%s: unknown parse rule %q", d.Name, c.Name, c.Parse)
		}
		as := c.Name
		if c.As != "" {
			as = c.As
		}
		lines = append(lines, expr+" AS "+warehouse.QuoteIdent(as))
	}
	return strings.Join(lines, ",\n        "), nil
}

// columnsSQL lists the dataset's typed columns after its row id, in the
// table's order: each by name, as the parse step (parseSQL) gave it, or,
// for a column the template computes, as the expression computed gives it
// (pairs of name and SQL).
func columnsSQL(d schema.Dataset, computed []string) (string, error) {
	if len(computed)%2 != 0 {
		return "", fmt.Errorf("%s: columns takes pairs of a column and its SQL, got %q", d.Name, computed)
	}
	expr := map[string]string{}
	for i := 0; i < len(computed); i += 2 {
		expr[computed[i]] = computed[i+1]
	}
	parsed := map[string]bool{}
	for _, c := range d.Inputs() {
		if c.As != "" {
			parsed[c.As] = true
		} else {
			parsed[c.Name] = true
		}
	}
	var out []string
	for _, c := range d.Typed() {
		if c.Name == d.ID {
			continue
		}
		e, given := expr[c.Name]
		delete(expr, c.Name)
		switch {
		case given && parsed[c.Name]:
			return "", fmt.Errorf("%s.%s is typed by its parse rule; the template computes only the columns the parse step does not give", d.Name, c.Name)
		case given:
			out = append(out, e+" AS "+warehouse.QuoteIdent(c.Name))
		case parsed[c.Name]:
			out = append(out, warehouse.QuoteIdent(c.Name))
		default:
			return "", fmt.Errorf("%s.%s is neither parsed from the file nor computed: give its SQL in typed_%s.sql.tmpl, {{columns %q \"<SQL>\"}}", d.Name, c.Name, d.Name, c.Name)
		}
	}
	for name := range expr {
		return "", fmt.Errorf("%s: columns computes %s, which is not a typed column of the table", d.Name, name)
	}
	return strings.Join(out, ", "), nil
}

// typedSQL is the dataset's typing query over the staging select: the
// canonical columns typed, PII hashed, the row id, and __field (the first
// failing rule, NULL for a good row); with line, the record number __line;
// with reasons, __reason.
func typedSQL(dataset, staging string, native map[string]bool, line, reasons bool) string {
	return typedSQLKeyed(dataset, staging, native, line, reasons, false)
}

// typedSQLKeyed is typedSQL, with contentKey also the column __content_key:
// a hash of the content a row's id is made of when the file gives none (the
// check pass counts those instead of the ids, an md5 each: the check of the
// 18 M demo's 33 M-row activity file took 17.6-19.1 s instead of 21.6-22 s).
func typedSQLKeyed(dataset, staging string, native map[string]bool, line, reasons, contentKey bool) string {
	t := template.Must(typedTmpls[dataset].Clone()).Funcs(datasetFuncs(datasets[dataset], native))
	return execTmpl(t, struct {
		Staging                   string
		Line, Reasons, ContentKey bool
	}{staging, line, reasons, contentKey})
}

// smallFileBytes is the size under which a file is read once into the temp
// table smallfile (typed, with record numbers and reasons) instead of being
// scanned once per step. A variable so that tests can send every file
// through either path.
var smallFileBytes int64 = 16 << 20

// smallFileSQL materialises typed (a typing query with __line and
// __reason) into the temp table smallfile.
func smallFileSQL(typed string) string {
	return "CREATE OR REPLACE TEMP TABLE smallfile AS " + typed
}

// smallFileSelect reads smallfile as the typing query with the given line
// and reasons flags would (the columns __line and __reason only when asked).
func smallFileSelect(line, reasons bool) string {
	var drop []string
	if !line {
		drop = append(drop, "__line")
	}
	if !reasons {
		drop = append(drop, "__reason")
	}
	if len(drop) == 0 {
		return "SELECT * FROM smallfile"
	}
	return "SELECT * EXCLUDE (" + strings.Join(drop, ", ") + ") FROM smallfile"
}

// insertSQL inserts the good rows of typed, a typing query, into the
// dataset's table. filter drops rejected rows; dedupe keeps only the first
// of rows sharing an id within the file (typed must then carry __line).
// Rows whose id was loaded before are inserted too: dropLoadedSQL takes
// them out after.
func insertSQL(dataset, typed string, filter, dedupe bool) string {
	t := tables[dataset]
	return execTmpl(insertTmpl, struct {
		Table, ID, Typed        string
		Filter, Dedupe, GivenID bool
	}{warehouse.QuoteIdent(t.Table), warehouse.QuoteIdent(t.ID), typed, filter, dedupe, hasGivenID(dataset)})
}

// dropLoadedSQL deletes from the dataset's table the rows of a load ($1)
// whose id an earlier load holds (see drop_loaded.sql.tmpl).
func dropLoadedSQL(dataset string) string {
	t := tables[dataset]
	return execTmpl(dropLoadedTmpl, struct{ Table, ID string }{warehouse.QuoteIdent(t.Table), warehouse.QuoteIdent(t.ID)})
}

// tableHasRowsSQL tells whether the dataset's table has any row (see
// table_has_rows.sql.tmpl): asked once per load, for the fast path's checks
// and the full path's dropLoadedSQL.
func tableHasRowsSQL(dataset string) string {
	return execTmpl(tableHasRowsTmpl, struct{ Table string }{warehouse.QuoteIdent(tables[dataset].Table)})
}

// fastRefused starts the message of the errors by which the fast path's
// statements refuse a file (fast_insert.sql.tmpl, fast_check.sql.tmpl).
const fastRefused = "attrib fast path refused"

// fastInsertSQL inserts every row of typed, a typing query, raising an error
// at the first row that fails validation (see fast_insert.sql.tmpl).
func fastInsertSQL(dataset, typed string) string {
	t := tables[dataset]
	return execTmpl(fastInsertTmpl, struct {
		Table, ID, Typed, Refused string
		GivenID                   bool
	}{warehouse.QuoteIdent(t.Table), warehouse.QuoteIdent(t.ID), typed, fastRefused, hasGivenID(dataset)})
}

// fastCheckSQL raises an error when the rows a fast-path load inserted
// repeat an id (inFile), or (existing) repeat an earlier load's id, or (csv) the CSV
// reader skipped a record; $1 is the load id. "" when there is nothing to check.
func fastCheckSQL(dataset string, inFile, existing, csv bool) string {
	if !inFile && !existing && !csv {
		return "" // nothing to check
	}
	t := tables[dataset]
	return execTmpl(fastCheckTmpl, struct {
		Table, ID, Refused    string
		InFile, Existing, CSV bool
	}{warehouse.QuoteIdent(t.Table), warehouse.QuoteIdent(t.ID), fastRefused, inFile, existing, csv})
}

// fastIDsSQL counts the rows of typed, a typing query, without an id of
// their own and the given ids that repeat (see fast_ids.sql.tmpl).
func fastIDsSQL(typed string) string {
	return execTmpl(fastIDsTmpl, struct{ Typed string }{typed})
}

// fastIDHashesSQL reads the hashes of the ids a fast-path load inserted
// ($1 the load id; see fast_id_hashes.sql.tmpl).
func fastIDHashesSQL(dataset string) string {
	t := tables[dataset]
	return execTmpl(fastIDHashesTmpl, struct{ Table, ID string }{warehouse.QuoteIdent(t.Table), warehouse.QuoteIdent(t.ID)})
}

// countsSQL is the check pass over a typing query (see counts.sql.tmpl);
// givenID hashes only the ids the file gives (the caller's checkPass knows
// whether the dataset and the file have them); keys keeps the rejected rows'
// content keys, fields and reasons; contentKey counts __content_key; sigs
// (with keys, __line then the NDJSON object's text) keeps the rejected
// objects' signatures too, at most as many as its first bound value.
func countsSQL(dataset, typed string, givenID, keys, contentKey, sigs bool) string {
	return execTmpl(countsTmpl, struct {
		ID, Typed, LineKey              string
		GivenID, Keys, ContentKey, Sigs bool
		SigHead                         int
	}{warehouse.QuoteIdent(tables[dataset].ID), typed, jsonRowKey("__line"), givenID, keys, contentKey, sigs, sigHead})
}

// hasGivenID reports whether rows of the dataset may carry their own id
// (the typing query then has __given_id); the others' ids are content hashes.
func hasGivenID(dataset string) bool { return datasets[dataset].GivenID() }

// typedRejectsSQL keeps the rejected rows of a typing query with __line and __reason.
func typedRejectsSQL(typed string) string {
	return execTmpl(typedRejectsTmpl, struct{ Typed string }{typed})
}

// execTmpl renders one of the templates above.
func execTmpl(t *template.Template, data any) string { return warehouse.RenderSQL(t, "", data) }
