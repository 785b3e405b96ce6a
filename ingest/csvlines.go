package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"sort"

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

// csvLines is where a CSV file's records start: the physical line of every
// record DuckDB's reader returned, kept as the points where the difference
// between physical line and record number changes (blank lines, fields
// spanning lines), and the physical lines of the unreadable records.
type csvLines struct {
	recs, shifts []int64         // from record recs[i] on, physical = record + shifts[i]
	unreadable   map[int64]int64 // a reader reject's logical line -> physical line
	records      int64           // records the reader returned, as the scan counts them
}

// physical is the line record k (1-based) starts on.
func (l *csvLines) physical(k int64) int64 {
	i := sort.Search(len(l.recs), func(i int) bool { return l.recs[i] > k }) - 1
	if i < 0 {
		return k
	}
	return k + l.shifts[i]
}

// scanCSVLines scans a CSV file (src, compressed or not) for where its
// records start; unreadable are the logical lines of the records the reader
// could not read (csvrej). It reads only the file, so it can run while
// DuckDB works on other statements.
func scanCSVLines(ctx context.Context, r reader, src string, unreadable map[int64]struct{}) (*csvLines, error) {
	in, err := openContent(src)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	quote, escape := byte('"'), byte('"')
	if q := r.quote; q != "" {
		quote, escape = q[0], q[0]
	}
	l := &csvLines{unreadable: map[int64]int64{}}
	var shift int64
	err = scanCSVRecords(ctxReader{ctx, in}, quote, escape, int(r.headerLines), func(logical, physical int64) {
		if _, ok := unreadable[logical]; ok {
			l.unreadable[logical] = physical
			return
		}
		l.records++
		if d := physical - l.records; d != shift || len(l.recs) == 0 {
			l.recs, l.shifts, shift = append(l.recs, l.records), append(l.shifts, d), d
		}
	})
	return l, err
}

// csvLineScan is the outcome of scanCSVLines.
type csvLineScan struct {
	lines *csvLines
	err   error
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// mapCSVLines gives the rejected rows of a CSV file their physical lines
// from a scan of it (scanCSVLines): a typed reject's record number (__line
// in typedrej, counting the records DuckDB's reader returned) and a reader
// reject's logical line (csvrej) are written to the temp table csvmap,
// which all_rejects.sql prefers over the record numbers. emitted is the
// number of records the reader returned; when the scan did not find the
// same number (a dialect it does not follow), csvmap stays empty and the
// lines stay record numbers.
func mapCSVLines(ctx context.Context, c *sql.Conn, lines *csvLines, emitted int64) error {
	if lines.records != emitted {
		return nil // a scan that disagrees with the reader maps nothing
	}
	recs, err := int64Set(ctx, c, sqlTypedRejectLines)
	if err != nil {
		return err
	}
	return c.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", "csvmap")
		if err != nil {
			return err
		}
		for logical, physical := range lines.unreadable {
			if err := app.AppendRow("logical", logical, physical); err != nil {
				_ = app.Close()
				return err
			}
		}
		for k := range recs {
			if err := app.AppendRow("rec", k, lines.physical(k)); err != nil {
				_ = app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// int64Set reads a one-column query of integers.
func int64Set(ctx context.Context, c *sql.Conn, q string) (map[int64]struct{}, error) {
	return querySet[int64](ctx, c, q)
}

// querySet reads the distinct values of a one-column query.
func querySet[T comparable](ctx context.Context, c *sql.Conn, q string) (map[T]struct{}, error) {
	rows, err := c.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[T]struct{}{}
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = struct{}{}
	}
	return out, rows.Err()
}
