package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"os"

	"github.com/duckdb/duckdb-go/v2"
)

// scanCSVRecords reads a CSV file's bytes and calls fn for each data record
// (after the first header records that are not blank) with its logical line,
// the numbering DuckDB's CSV rejects use (lines outside quoted fields, blank
// lines included), and the physical line it starts on. Blank lines are not
// records, as for DuckDB's reader. A newline is LF, CRLF or a lone CR.
// Inside a quoted field, quote characters toggle (a doubled quote is an
// escaped one); when escape differs from quote, it escapes the next byte.
func scanCSVRecords(r io.Reader, quote, escape byte, header int, fn func(logical, physical int64)) error {
	var (
		physical, logical   int64 = 1, 1
		start, startLogical int64 = 1, 1
		inQuote, escaped    bool
		afterCR             bool // the previous byte was a CR ending a line
		empty               = true
		seen                int
	)
	endRecord := func() {
		if empty {
			return
		}
		if seen++; seen > header {
			fn(startLogical, start)
		}
	}
	buf := make([]byte, 1<<20)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			if afterCR {
				afterCR = false
				if b == '\n' {
					continue // the LF of a CRLF
				}
			}
			switch {
			case escaped:
				escaped = false
				if b == '\n' || b == '\r' {
					physical++
					afterCR = b == '\r'
				}
			case inQuote && escape != quote && b == escape:
				escaped = true
			case b == quote:
				inQuote = !inQuote
				empty = false
			case b == '\n' || b == '\r':
				physical++
				afterCR = b == '\r'
				if inQuote {
					continue
				}
				endRecord()
				logical++
				start, startLogical, empty = physical, logical, true
			default:
				empty = false
			}
		}
		if err == io.EOF {
			endRecord()
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// mapCSVLines gives the rejected rows of a CSV file their physical lines:
// a typed reject's record number (__line in typedrej, counting the records
// DuckDB's reader returned) and a reader reject's logical line (csvrej) are
// looked up in one scan of the file and written to the temp table csvmap,
// which all_rejects.sql prefers over the record numbers. emitted is the
// number of records the reader returned; when the scan does not find the
// same number (a dialect it does not follow), csvmap stays empty and the
// lines stay record numbers.
func mapCSVLines(ctx context.Context, c *sql.Conn, r reader, src string, emitted int64) error {
	recs, err := int64Set(ctx, c, "SELECT __line FROM typedrej")
	if err != nil {
		return err
	}
	unreadable, err := int64Set(ctx, c, "SELECT line FROM csvrej")
	if err != nil {
		return err
	}
	if len(recs) == 0 && len(unreadable) == 0 {
		return nil
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	kind := compression(src)
	in, err := openDecompressor(f, kind)
	if err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	defer in.Close()
	quote, escape := byte('"'), byte('"')
	if q := r.quote; q != "" {
		quote, escape = q[0], q[0]
	}
	type entry struct {
		kind          string
		key, physical int64
	}
	var out []entry
	var k int64
	err = scanCSVRecords(in, quote, escape, int(r.headerLines), func(logical, physical int64) {
		if _, ok := unreadable[logical]; ok {
			out = append(out, entry{"logical", logical, physical})
			return
		}
		k++
		if _, ok := recs[k]; ok {
			out = append(out, entry{"rec", k, physical})
		}
	})
	if err != nil || k != emitted {
		return err // a scan that disagrees with the reader maps nothing
	}
	return c.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "csvmap")
		if err != nil {
			return err
		}
		for _, e := range out {
			if err := app.AppendRow(e.kind, e.key, e.physical); err != nil {
				_ = app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// int64Set reads a one-column query of integers.
func int64Set(ctx context.Context, c *sql.Conn, q string) (map[int64]struct{}, error) {
	rows, err := c.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]struct{}{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = struct{}{}
	}
	return out, rows.Err()
}
