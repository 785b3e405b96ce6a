package ingest

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"sync/atomic"
	"text/template"

	"github.com/duckdb/duckdb-go/v2"

	"attrib/warehouse"
)

// An NDJSON file's rejected rows are found without numbering its records in
// DuckDB (the window behind keyedRejects runs on one thread: 4.5-8.9 s for
// each 6.5 M-line web file of the 18 M-person demo). The check pass keeps the
// rejected rows' content keys; one parallel scan keeps the objects with those
// keys and their text (ndjson_reject_texts.sql.tmpl, 1.6-3.6 s); Go reads the
// file's lines (about 0.5 s) and numbers each line that holds one of those
// texts (the reader gives an object's text as it stands on its line, without
// the spaces around it, and skips blank lines). Every line found is a
// rejected row, numbered as keyedRejects numbers it: its record number, blank
// lines not counted (docs/ingest.md). When they do not add up to the check
// pass's count (a hash collision, a line the reader splits differently),
// keyedRejects numbers them instead.

var ndjsonRejectTextsTmpl = template.Must(template.New("ndjson_reject_texts").Parse(mustSQL("ndjson_reject_texts.sql.tmpl")))

var (
	sqlNDJSONRejectSize       = mustSQL("ndjson_reject_size.sql")
	sqlNDJSONRejectTextsList  = mustSQL("ndjson_reject_texts_list.sql")
	sqlNDJSONLinesCreate      = mustSQL("ndjson_lines_create.sql")
	sqlNDJSONFound            = mustSQL("ndjson_found.sql")
	sqlNDJSONFoundCount       = mustSQL("ndjson_found_count.sql")
	sqlNDJSONTypedRejects     = mustSQL("ndjson_typed_rejects.sql")
	sqlNDJSONRawRejects       = mustSQL("ndjson_raw_rejects.sql")
	ndjsonRejectTextsMaxBytes = int64(64 << 20)
)

// ndjsonLineFinds counts the files whose rejected rows were found by their
// lines in Go (tests read it).
var ndjsonLineFinds atomic.Int64

// ndjsonRejects fills typedrej and rawrej for a streamed NDJSON file with
// rejected rows, its records unnumbered (see above), from typedrej as
// check_rejects.sql fills it. ok false leaves typedrej so, for keyedRejects.
func (l *loader) ndjsonRejects() (ok bool, err error) {
	q := warehouse.RenderSQL(ndjsonRejectTextsTmpl, "", struct{ Key, Call string }{l.rejectKey, l.r.call})
	if _, err := l.c.ExecContext(l.ctx, q, l.r.args...); err != nil {
		return false, err
	}
	var size int64
	if err := l.c.QueryRowContext(l.ctx, sqlNDJSONRejectSize).Scan(&size); err != nil {
		return false, err
	}
	if size > ndjsonRejectTextsMaxBytes {
		return false, nil // too much to hold in Go: numbered by DuckDB
	}
	texts, err := querySet[string](l.ctx, l.c, sqlNDJSONRejectTextsList)
	if err != nil {
		return false, err
	}
	if _, err := l.c.ExecContext(l.ctx, sqlNDJSONLinesCreate); err != nil {
		return false, err
	}
	err = l.c.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "ndjlines")
		if err != nil {
			return err
		}
		err = findNDJSONLines(l.ctx, l.readPath, texts, func(text string, line int64) error {
			return app.AppendRow(text, line)
		})
		if cerr := app.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("lines of rejected rows: %w", err)
	}
	if _, err := l.c.ExecContext(l.ctx, sqlNDJSONFound); err != nil {
		return false, err
	}
	var n int64
	if err := l.c.QueryRowContext(l.ctx, sqlNDJSONFoundCount).Scan(&n); err != nil {
		return false, err
	}
	if n != l.n.bad {
		return false, nil
	}
	if _, err := l.c.ExecContext(l.ctx, sqlNDJSONTypedRejects); err != nil {
		return false, err
	}
	if _, err := l.c.ExecContext(l.ctx, sqlNDJSONRawRejects, jsonMaskPatch(maskedColumns(l.src, l.cols))); err != nil {
		return false, err
	}
	ndjsonLineFinds.Add(1)
	return true, nil
}

// findNDJSONLines reads an NDJSON file (compressed or not) and calls found
// with the record number of every line that, without the JSON whitespace
// around it, is one of texts: lines are LF-separated, and blank ones are not
// records (DuckDB's reader skips them).
func findNDJSONLines(ctx context.Context, path string, texts map[string]struct{}, found func(text string, line int64) error) error {
	if len(texts) == 0 {
		return nil
	}
	lengths := map[int]bool{}
	for t := range texts {
		lengths[len(t)] = true
	}
	in, err := openContent(path)
	if err != nil {
		return err
	}
	defer in.Close()
	var (
		record  int64
		partial []byte // a line begun in an earlier chunk
	)
	match := func(b []byte) error {
		b = bytes.Trim(b, " \t\r")
		if len(b) == 0 {
			return nil // a blank line
		}
		record++
		if !lengths[len(b)] {
			return nil
		}
		if _, ok := texts[string(b)]; ok {
			return found(string(b), record)
		}
		return nil
	}
	buf := make([]byte, 1<<20)
	r := ctxReader{ctx, in}
	for {
		n, rerr := io.ReadFull(r, buf)
		p := buf[:n]
		for len(p) > 0 {
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				partial = append(partial, p...)
				break
			}
			b := p[:i]
			if len(partial) > 0 {
				partial = append(partial, b...)
				b = partial
			}
			if err := match(b); err != nil {
				return err
			}
			partial = partial[:0]
			p = p[i+1:]
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if len(partial) > 0 {
		return match(partial)
	}
	return nil
}
