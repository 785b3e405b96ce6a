package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"attrib/config"
	"attrib/warehouse"
)

// format returns the file format: the source's `format:` or the extension
// (after a .gz or .zst compression suffix).
func format(src config.Source, path string) (string, error) {
	if src.Format != "" {
		if src.Format == "json" {
			return "ndjson", nil
		}
		return src.Format, nil
	}
	name := strings.ToLower(filepath.Base(path))
	if compression(name) != "" {
		name = strings.TrimSuffix(name, filepath.Ext(name)) // one compression layer only
	}
	switch filepath.Ext(name) {
	case ".csv", ".txt":
		return "csv", nil
	case ".tsv", ".tab":
		return "tsv", nil
	case ".ndjson", ".jsonl", ".json":
		return "ndjson", nil
	case ".parquet", ".pq":
		return "parquet", nil
	case ".arrow", ".arrows", ".ipc", ".feather":
		return "arrow", nil
	}
	return "", fmt.Errorf("cannot tell the format of %s from its name; set `format:` on the source", filepath.Base(path))
}

// compression reports the compression of a file from its name: "gzip", "zstd" or "".
func compression(path string) string {
	name := strings.ToLower(path)
	switch {
	case strings.HasSuffix(name, ".gz"), strings.HasSuffix(name, ".gzip"):
		return "gzip"
	case strings.HasSuffix(name, ".zst"), strings.HasSuffix(name, ".zstd"):
		return "zstd"
	}
	return ""
}

// csvRejectsTable and csvScansTable are the temp tables where DuckDB's CSV
// reader puts records it cannot split into the header's columns (too many
// or too few fields, invalid UTF-8, a line over the maximum size).
const (
	csvRejectsTable = "attrib_csv_rejects"
	csvScansTable   = "attrib_csv_scans"
)

// arrowView is the name of the short-lived view over a Go Arrow stream.
const arrowView = "attrib_arrow_src"

// maxLineSize is the longest CSV record accepted (16 MiB); longer ones are rejected.
// DuckDB reads in buffers of twice that per thread.
const maxLineSize = 16 << 20

// reader is a DuckDB table function call over one file, with its bound arguments.
type reader struct {
	call string
	args []any
	// headerLines is added to a record's number to give its line in the file.
	headerLines int64
	// quote is the CSV quote character when the source sets one.
	quote string
	// json is true when rows are JSON objects in a column named json.
	json bool
	// csv is true when structural errors go to csvRejectsTable instead of failing the read.
	csv bool
	// arrow is true when statements must run through execOverArrow on path.
	arrow bool
	path  string
	// lines is true for NDJSON read line by line in Go (see jsonLines).
	lines bool
	// maskKeys are the JSON keys whose values a malformed line's raw record masks.
	maskKeys []string
	// lineExpr numbers the records; "" means row_number() OVER ().
	lineExpr string
	// keep, for an Arrow file, lists the columns handed to DuckDB (nil: all).
	keep []string
}

// jsonLineView is the call of an NDJSON file read line by line: its good
// lines as JSON, numbered by physical line. Every scan of a registered Arrow
// view must read a prefix of its columns (see withArrowView): the condition
// on line keeps that first column in the scan.
var jsonLineView = "(SELECT line AS __src_line, CAST(json AS JSON) AS json FROM " + warehouse.QuoteIdent(arrowView) + " WHERE reason IS NULL AND line > 0)"

// jsonLines is the slow path for an NDJSON file with lines DuckDB's reader
// refuses (not JSON, not UTF-8): Go splits the file into lines (LF or CRLF,
// compressed or not) and hands them over as Arrow batches; the good lines are
// read as before, each bad line becomes one rejected row (field json), and
// line numbers are physical lines.
func jsonLines(src config.Source, path string) reader {
	return reader{call: jsonLineView, json: true, arrow: true, lines: true, path: path,
		maskKeys: piiColumns(src), lineExpr: "__src_line"}
}

// piiColumns are the names of the file columns mapped to email and phone.
func piiColumns(src config.Source) []string {
	var out []string
	for _, pii := range []string{"email", "phone"} {
		name, _ := fileColumn(src, pii)
		out = append(out, name)
	}
	return out
}

// fileColumn is the file column a source reads the canonical column col
// from: the one it is mapped to, else col itself.
func fileColumn(src config.Source, col string) (name string, mapped bool) {
	if name, ok := src.Columns[col]; ok {
		return name, true
	}
	return col, false
}

// numbered is the SQL numbering r's records.
func (r reader) numbered() string {
	if r.lineExpr != "" {
		return r.lineExpr
	}
	return "row_number() OVER ()"
}

func newReader(src config.Source, fmtName, path string) reader {
	switch fmtName {
	case "csv", "tsv":
		call := "read_csv(?, all_varchar = true, store_rejects = true, rejects_table = " + warehouse.QuoteLiteral(csvRejectsTable) +
			", rejects_scan = " + warehouse.QuoteLiteral(csvScansTable) + ", max_line_size = ?, buffer_size = ?"
		args := []any{path, int64(maxLineSize), int64(2 * maxLineSize)}
		if c := compression(path); c != "" {
			call += ", compression = ?"
			args = append(args, c)
		}
		delim := src.CSV.Delimiter
		if delim == "" && fmtName == "tsv" {
			delim = "\t"
		}
		if delim != "" {
			call += ", delim = ?"
			args = append(args, delim)
		}
		if src.CSV.Quote != "" {
			call += ", quote = ?"
			args = append(args, src.CSV.Quote)
		}
		header := true
		if src.CSV.Header != nil {
			header = *src.CSV.Header
		}
		call += ", header = ?)"
		args = append(args, header)
		r := reader{call: call, args: args, csv: true, quote: src.CSV.Quote}
		if header {
			r.headerLines = 1
		}
		return r
	case "ndjson":
		call := "read_ndjson_objects(?"
		args := []any{path}
		if c := compression(path); c != "" {
			call += ", compression = ?"
			args = append(args, c)
		}
		return reader{call: call + ")", args: args, json: true}
	case "arrow":
		// Read in Go and scanned through a view registered per statement (execOverArrow).
		return reader{call: warehouse.QuoteIdent(arrowView), arrow: true, path: path}
	default: // parquet
		return reader{call: "read_parquet(?)", args: []any{path}}
	}
}

// columns lists the file's columns and their DuckDB types (for JSON: the
// keys of its first 10,000 objects, typeless; for CSV every column is text).
func (r reader) columns(ctx context.Context, c *sql.Conn) (names, types []string, err error) {
	if r.lines {
		return nil, nil, errors.New("the columns of NDJSON lines come from jsonLineColumns")
	}
	if r.arrow {
		return arrowColumns(r.path)
	}
	var q string
	if r.json {
		q = "SELECT DISTINCT unnest(json_keys(json)), '' FROM (SELECT json FROM " + r.call + " LIMIT 10000)"
	} else {
		q = "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + r.call + ")"
	}
	return nameTypes(c.QueryContext(ctx, q, r.args...))
}

// nameTypes reads (name, type) rows, closing them.
func nameTypes(rows *sql.Rows, err error) (names, types []string, _ error) {
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n, t string
		if err := rows.Scan(&n, &t); err != nil {
			return nil, nil, err
		}
		names, types = append(names, n), append(types, t)
	}
	return names, types, rows.Err()
}

// roles are the canonical columns that are typed on the way in; the others are text.
var roles = map[string]string{
	"occurred_at": "time", "observed_at": "time", "date": "time",
	"cost": "money", "revenue": "money", "spend": "money", "value": "money",
	"impressions": "int", "clicks": "int", "rate": "rate",
	"start_date": "time", "end_date": "time", "incremental_revenue": "money",
	"incremental_conversions": "num", "standard_error": "num", "low": "num", "high": "num",
}

// nativeRole reports whether a file column of DuckDB type typ can feed the
// canonical column col as it is, without the round trip through text: a
// timestamp or date for a time, an integer or a decimal of scale up to 4
// (money) or 8 (rate) for an amount, an integer for a count, an integer or
// a DOUBLE for a number (num: both convert to DOUBLE exactly as their text
// would parse). Nanosecond timestamps and floats keep the text path, whose
// rounding the row ids of earlier loads were computed with.
func nativeRole(col, typ string) bool {
	integer := false
	switch typ {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT":
		integer = true
	}
	var prec, scale int
	_, derr := fmt.Sscanf(typ, "DECIMAL(%d,%d)", &prec, &scale)
	decimal := derr == nil
	switch roles[col] {
	case "time":
		switch typ {
		case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "DATE":
			return true
		}
	case "money":
		return integer || (decimal && scale <= 4)
	case "rate":
		return integer || (decimal && scale <= 8)
	case "int":
		return integer
	case "num":
		return integer || typ == "DOUBLE"
	}
	return false
}

// stagingSelect builds the query that reads the file as the canonical
// columns of the dataset: text (VARCHAR), except the columns native reports,
// which keep the file's own type (see nativeRole; types may be nil: all
// text). With line, __line (the record number) comes first; it costs a
// serial window, so only the passes that need it ask for it.
// Identifiers are quoted; constants and JSON paths are bound.
func stagingSelect(ds config.Dataset, src config.Source, r reader, fileCols, types []string, line bool) (q string, args []any, native map[string]bool, err error) {
	q, args, native, _, err = staging(ds, src, r, fileCols, types, line)
	return q, args, native, err
}

// usedColumns lists the file columns the staging select reads, in file order.
func usedColumns(ds config.Dataset, src config.Source, r reader, fileCols []string) ([]string, error) {
	_, _, _, used, err := staging(ds, src, r, fileCols, nil, false)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, c := range fileCols {
		if used[i] {
			out = append(out, c)
		}
	}
	return out, nil
}

func staging(ds config.Dataset, src config.Source, r reader, fileCols, types []string, line bool) (q string, args []any, native map[string]bool, used map[int]bool, err error) {
	used = map[int]bool{}
	have := map[string]int{} // lower-case name -> index
	for i, c := range fileCols {
		have[strings.ToLower(c)] = i
	}
	native = map[string]bool{}
	given := map[string]bool{} // canonical columns that are constants or in the file
	var sel []string
	var jsonPaths []string
	for _, col := range ds.Columns {
		var expr string
		if v, ok := src.Constants[col.Name]; ok {
			expr = "CAST(? AS VARCHAR)"
			args = append(args, v)
			given[col.Name] = true
		} else {
			name, mapped := fileColumn(src, col.Name)
			i, found := have[strings.ToLower(name)]
			given[col.Name] = found
			switch {
			case mapped && !found:
				return "", nil, nil, nil, fmt.Errorf("column %q (mapped to %s) is not in the file%s; its columns are: %s", name, col.Name, encodingHint(src, r, name, fileCols), strings.Join(fileCols, ", "))
			case !found && col.Required:
				return "", nil, nil, nil, fmt.Errorf("required column %s is neither mapped nor in the file%s; its columns are: %s", col.Name, encodingHint(src, r, col.Name, fileCols), strings.Join(fileCols, ", "))
			case !found:
				expr = "NULL::VARCHAR"
			case r.json:
				used[i] = true
				jsonPaths = append(jsonPaths, `$."`+strings.ReplaceAll(fileCols[i], `"`, `\"`)+`"`)
				expr = fmt.Sprintf("v[%d]", len(jsonPaths))
			case i < len(types) && nativeRole(col.Name, types[i]):
				used[i] = true
				expr = warehouse.QuoteIdent(fileCols[i])
				native[col.Name] = true
			default:
				used[i] = true
				expr = "CAST(" + warehouse.QuoteIdent(fileCols[i]) + " AS VARCHAR)"
			}
		}
		sel = append(sel, expr+" AS "+warehouse.QuoteIdent(col.Name))
	}
	for _, alt := range ds.OneOf {
		if !alt.Satisfied(func(col string) bool { return given[col] }) {
			return "", nil, nil, nil, fmt.Errorf("needs %s, mapped or in the file; its columns are: %s", alt, strings.Join(fileCols, ", "))
		}
	}
	from := r.call
	fromArgs := r.args
	if r.json {
		from = "(SELECT *, json_extract_string(json, ?::VARCHAR[]) AS v FROM " + r.call + ")"
		fromArgs = append([]any{jsonPaths}, r.args...)
	}
	head := "SELECT "
	if line {
		head = "SELECT " + r.numbered() + " AS __line, "
	}
	return head + strings.Join(sel, ", ") + " FROM " + from, append(args, fromArgs...), native, used, nil
}

// collideKeys, set by tests, gives every record the same key, as if they
// all collided: keyedRejects must then fall back to record numbers.
var collideKeys bool

// rowKey is SQL for a hash of a record's content as the reader gives it (an
// NDJSON object's text; otherwise the file's columns, for an Arrow file
// those handed over for typing), the same in every scan of the file. Two
// records with the same key type the same way.
func rowKey(r reader, fileCols []string) string {
	if r.json {
		return jsonRowKey("json")
	}
	if collideKeys {
		return "hash(0)"
	}
	cols := fileCols
	if r.arrow && r.keep != nil {
		cols = r.keep
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = warehouse.QuoteIdent(c)
	}
	return "hash(" + strings.Join(quoted, ", ") + ")"
}

// jsonRowKey is rowKey of an NDJSON object whose text is the SQL
// expression text.
func jsonRowKey(text string) string {
	if collideKeys {
		return "hash(0)"
	}
	return "hash(" + text + ")"
}

// jsonMaskPatch is the JSON merge patch that masks the given keys of an
// object (their values become "***").
func jsonMaskPatch(keys []string) string {
	parts := make([]string, 0, len(keys))
	for _, c := range keys {
		b, _ := json.Marshal(c)
		parts = append(parts, string(b)+`:"***"`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// maskedColumns are the file columns that carry email or phone.
func maskedColumns(src config.Source, fileCols []string) []string {
	var masked []string
	for _, name := range piiColumns(src) {
		for _, fc := range fileCols {
			if strings.EqualFold(fc, name) {
				masked = append(masked, fc)
			}
		}
	}
	return masked
}

// rawRejectsSQL re-reads the file and keeps the raw records of rejected rows
// as JSON, with the columns that carry email or phone masked.
// With key (see rowKey), the records are those whose key is one of
// typedrej's (its __line holds keys), and rawrej also has each one's __key.
func rawRejectsSQL(src config.Source, r reader, fileCols []string, key string) (string, []any) {
	masked := maskedColumns(src, fileCols)
	where := " WHERE __line IN (SELECT __line FROM typedrej)"
	head, out, drop := r.numbered()+" AS __line, ", "__line, ", `{"__line":null}`
	if key != "" {
		where = " WHERE __key IN (SELECT __line FROM typedrej)"
		head, out, drop = r.numbered()+" AS __line, "+key+" AS __key, ", "__line, __key, ", `{"__line":null,"__key":null}`
	}
	if r.json {
		q := "CREATE OR REPLACE TEMP TABLE rawrej AS SELECT " + out + "CAST(json_merge_patch(json, ?::JSON) AS VARCHAR) AS raw FROM " +
			"(SELECT " + head + "json FROM " + r.call + ")" + where
		return q, append([]any{jsonMaskPatch(masked)}, r.args...)
	}
	star := "*"
	if len(masked) > 0 {
		var reps []string
		for _, c := range masked {
			reps = append(reps, "'***' AS "+warehouse.QuoteIdent(c))
		}
		star = "* REPLACE (" + strings.Join(reps, ", ") + ")"
	}
	q := "CREATE OR REPLACE TEMP TABLE rawrej AS SELECT " + out + "CAST(json_merge_patch(to_json(x), '" + drop + "') AS VARCHAR) AS raw FROM " +
		"(SELECT " + head + star + " FROM " + r.call + ") x" + where
	return q, r.args
}
