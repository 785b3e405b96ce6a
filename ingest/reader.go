package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
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
	for _, c := range []string{".gz", ".zst", ".gzip", ".zstd"} {
		if strings.HasSuffix(name, c) {
			name = strings.TrimSuffix(name, c) // one compression layer only
			break
		}
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
	// json is true when rows are JSON objects in a column named json.
	json bool
	// csv is true when structural errors go to csvRejectsTable instead of failing the read.
	csv bool
	// arrow is true when statements must run through execOverArrow on path.
	arrow bool
	path  string
}

func newReader(src config.Source, fmtName, path string) reader {
	switch fmtName {
	case "csv", "tsv":
		call := "read_csv(?, all_varchar = true, store_rejects = true, rejects_table = '" + csvRejectsTable +
			"', rejects_scan = '" + csvScansTable + "', max_line_size = ?, buffer_size = ?"
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
		r := reader{call: call, args: args, csv: true}
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

// columns lists the file's columns (for JSON: the keys of its first 10,000 objects).
func (r reader) columns(ctx context.Context, c *sql.Conn) ([]string, error) {
	if r.arrow {
		return arrowColumns(r.path)
	}
	var q string
	if r.json {
		q = "SELECT DISTINCT unnest(json_keys(json)) FROM (SELECT json FROM " + r.call + " LIMIT 10000)"
	} else {
		q = "SELECT column_name FROM (DESCRIBE SELECT * FROM " + r.call + ")"
	}
	rows, err := c.QueryContext(ctx, q, r.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// stagingSelect builds the query that reads the file as the canonical
// columns of the dataset, all VARCHAR, plus __line (the record number).
// Identifiers are quoted; constants and JSON paths are bound.
func stagingSelect(ds config.Dataset, src config.Source, r reader, fileCols []string) (string, []any, error) {
	have := map[string]string{} // lower-case name -> actual name
	for _, c := range fileCols {
		have[strings.ToLower(c)] = c
	}
	var sel []string
	var args []any
	var jsonPaths []string
	for _, col := range ds.Columns {
		var expr string
		if v, ok := src.Constants[col.Name]; ok {
			expr = "CAST(? AS VARCHAR)"
			args = append(args, v)
		} else {
			name, mapped := src.Columns[col.Name]
			actual, found := have[strings.ToLower(name)]
			if !mapped {
				actual, found = have[col.Name]
			}
			switch {
			case mapped && !found:
				return "", nil, fmt.Errorf("column %q (mapped to %s) is not in the file; its columns are: %s", name, col.Name, strings.Join(fileCols, ", "))
			case !found && col.Required:
				return "", nil, fmt.Errorf("required column %s is neither mapped nor in the file; its columns are: %s", col.Name, strings.Join(fileCols, ", "))
			case !found:
				expr = "NULL::VARCHAR"
			case r.json:
				jsonPaths = append(jsonPaths, `$."`+strings.ReplaceAll(actual, `"`, `\"`)+`"`)
				expr = fmt.Sprintf("v[%d]", len(jsonPaths))
			default:
				expr = "CAST(" + warehouse.QuoteIdent(actual) + " AS VARCHAR)"
			}
		}
		sel = append(sel, expr+" AS "+warehouse.QuoteIdent(col.Name))
	}
	from := r.call
	fromArgs := r.args
	if r.json {
		from = "(SELECT json_extract_string(json, ?::VARCHAR[]) AS v FROM " + r.call + ")"
		fromArgs = append([]any{jsonPaths}, r.args...)
	}
	q := "SELECT row_number() OVER () AS __line, " + strings.Join(sel, ", ") + " FROM " + from
	return q, append(args, fromArgs...), nil
}

// stagingSQL is stagingSelect materialised as the temp table stg.
func stagingSQL(ds config.Dataset, src config.Source, r reader, fileCols []string) (string, []any, error) {
	q, args, err := stagingSelect(ds, src, r, fileCols)
	if err != nil {
		return "", nil, err
	}
	return "CREATE OR REPLACE TEMP TABLE stg AS " + q, args, nil
}

// rawRejectsSQL re-reads the file and keeps the raw records of rejected rows
// as JSON, with the columns that carry email or phone masked.
func rawRejectsSQL(src config.Source, r reader, fileCols []string) (string, []any) {
	var masked []string
	for _, pii := range []string{"email", "phone"} {
		name := pii
		if c, ok := src.Columns[pii]; ok {
			name = c
		}
		for _, fc := range fileCols {
			if strings.EqualFold(fc, name) {
				masked = append(masked, fc)
			}
		}
	}
	where := " WHERE __line IN (SELECT __line FROM typed WHERE __reason IS NOT NULL)"
	if r.json {
		var parts []string
		for _, c := range masked {
			b, _ := json.Marshal(c)
			parts = append(parts, string(b)+`:"***"`)
		}
		q := "CREATE OR REPLACE TEMP TABLE rawrej AS SELECT __line, CAST(json_merge_patch(json, ?::JSON) AS VARCHAR) AS raw FROM " +
			"(SELECT row_number() OVER () AS __line, json FROM " + r.call + ")" + where
		return q, append([]any{"{" + strings.Join(parts, ",") + "}"}, r.args...)
	}
	star := "*"
	if len(masked) > 0 {
		var reps []string
		for _, c := range masked {
			reps = append(reps, "'***' AS "+warehouse.QuoteIdent(c))
		}
		star = "* REPLACE (" + strings.Join(reps, ", ") + ")"
	}
	q := `CREATE OR REPLACE TEMP TABLE rawrej AS SELECT __line, CAST(json_merge_patch(to_json(x), '{"__line":null}') AS VARCHAR) AS raw FROM ` +
		"(SELECT row_number() OVER () AS __line, " + star + " FROM " + r.call + ") x" + where
	return q, r.args
}
