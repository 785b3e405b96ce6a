package ingest

import (
	"errors"
	"io"
	"strings"
	"sync/atomic"

	"attrib/warehouse"
)

// An NDJSON file is read by read_ndjson_objects, each line one JSON value,
// and every mapped key is taken out of it with json_extract_string: the text
// of a string, and for a number, true, false or a nested value its JSON
// text, so that a row's values and its content-hash id do not depend on the
// format it came in. DuckDB's read_json with the mapped keys as VARCHAR
// columns parses the lines in its reader, much faster, and gives the same
// text for strings and null, but prints small numbers its own way (1e-07 for
// 1e-7, 1e-06 for 0.000001), and reads a line that is a number or an array
// where read_ndjson_objects gives no keys. The bytes of a large NDJSON file
// are therefore scanned while they are hashed (jsonScan, on the other core):
// when every line is one object (or blank), the fast path's insert and the
// full path's write read the file with read_json instead
// (jsonColumnsReader), the keys that only ever hold strings or null as
// VARCHAR, the others as JSON put through json_extract_string, which gives
// exactly what it gives today. The check pass and the rejected rows keep
// read_ndjson_objects: a rejected row's raw record is its whole line.
// read_json refuses an object with a repeated key, which the scan does not
// look for: the fast path is then refused, and the write reads the file
// the usual way.

// jsonColumns turns the read_json reader on; tests turn it off to compare.
var jsonColumns = true

// jsonColumnReads counts the statements that loaded a file's rows through
// jsonColumnsReader (for tests: that the reader was used).
var jsonColumnReads atomic.Int64

// wantsJSONScan reports whether the file's bytes are scanned while hashed:
// a large uncompressed NDJSON file in UTF-8.
func (l *loader) wantsJSONScan() bool {
	if !jsonColumns || compression(l.path) != "" {
		return false
	}
	if f, err := format(l.src, l.path); err != nil || f != "ndjson" {
		return false
	}
	if enc := l.src.CSV.Encoding; enc != "" && !isUTF8(enc) {
		return false // transcoded: DuckDB reads a copy, not the scanned bytes
	}
	at, err := lookAt(l.path)
	return err == nil && at.size >= smallFileBytes
}

// scanWriter is l.scan as a writer for fingerprint (nil: no scan).
func (l *loader) scanWriter() io.Writer {
	if l.scan == nil {
		return nil
	}
	return l.scan
}

// jsonColumnsReader is read_json over the file with the keys the typing
// reads as VARCHAR columns, when the scan of the file allows it (ok), with
// those keys as the columns and their types.
func (l *loader) jsonColumnsReader() (r reader, cols, types []string, ok bool) {
	if l.scan == nil || !l.scan.ok() || !l.r.json || l.r.lines || l.copied || l.small {
		return reader{}, nil, nil, false
	}
	used, err := usedColumns(l.ds, l.src, l.r, l.cols)
	if err != nil || len(used) == 0 {
		return reader{}, nil, nil, false
	}
	fields := make([]string, len(used))
	sel := make([]string, len(used))
	for i, c := range used {
		for _, d := range used[:i] {
			if strings.EqualFold(c, d) {
				return reader{}, nil, nil, false // DuckDB's column names ignore case
			}
		}
		q := warehouse.QuoteIdent(c)
		fields[i], sel[i] = q+" := 'VARCHAR'", q
		for k := range l.scan.odd {
			if strings.EqualFold(k, c) { // a value that is not a string or null
				fields[i], sel[i] = q+" := 'JSON'", "json_extract_string("+q+", '$') AS "+q
				break
			}
		}
		types = append(types, "VARCHAR")
	}
	call := "(SELECT " + strings.Join(sel, ", ") + " FROM read_json(?, format = 'newline_delimited', columns = struct_pack(" +
		strings.Join(fields, ", ") + ")))"
	return reader{call: call, args: []any{l.readPath}}, used, types, true
}

// writeRowsJSON is writeRows's write through jsonColumnsReader when it
// applies (tried); an error other than a cancellation or a changed file
// leaves nothing written, and the write is done the usual way.
func (l *loader) writeRowsJSON(dedupe bool, good int64) (tried bool, err error) {
	r, cols, types, ok := l.jsonColumnsReader()
	if !ok {
		return false, nil
	}
	err = l.writeWith(r, cols, types, dedupe, good)
	switch {
	case err == nil:
		jsonColumnReads.Add(1)
		return true, nil
	case l.ctx.Err() != nil, errors.Is(err, errChanged):
		return true, err
	}
	return false, nil
}
