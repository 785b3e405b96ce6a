package ingest

import (
	"bytes"
	"context"
	"crypto/md5"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"io"
	"sync/atomic"
	"text/template"
	"unicode/utf8"

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
//
// A file scanned when it was hashed (jsonscan.go: its objects are counted)
// skips that scan in DuckDB: the check pass also keeps each rejected
// object's signature (byte length, first 48 characters, md5 of its text;
// computed for the rejected rows only, and for at most as many as the reject
// threshold allows), and Go, reading the lines, md5s only a line whose first
// characters are a signature's, then fills the keys and texts the scan
// would have (ndjsonRejectsBySig). At 18 M people that scan took 1.4-5.5 s
// of each 1.2-1.4 GB web file's load.

var ndjsonRejectTextsTmpl = template.Must(template.New("ndjson_reject_texts").Parse(mustSQL("ndjson_reject_texts.sql.tmpl")))

var (
	sqlNDJSONRejectSize       = mustSQL("ndjson_reject_size.sql")
	sqlNDJSONRejectTextsList  = mustSQL("ndjson_reject_texts_list.sql")
	sqlNDJSONLinesCreate      = mustSQL("ndjson_lines_create.sql")
	sqlNDJSONFound            = mustSQL("ndjson_found.sql")
	sqlNDJSONFoundCount       = mustSQL("ndjson_found_count.sql")
	sqlNDJSONTypedRejects     = mustSQL("ndjson_typed_rejects.sql")
	sqlNDJSONRawRejects       = mustSQL("ndjson_raw_rejects.sql")
	sqlNDJSONSigs             = mustSQL("ndjson_sigs.sql")
	sqlNDJSONRejCreate        = mustSQL("ndjson_rej_create.sql")
	ndjsonRejectTextsMaxBytes = int64(64 << 20)
)

// ndjsonLineFinds counts the files whose rejected rows were found by their
// lines in Go, ndjsonSigFinds those of them found by the signatures the
// check pass kept (tests read them).
var ndjsonLineFinds, ndjsonSigFinds atomic.Int64

// ndjsonSigs turns the signatures on; tests turn it off to compare.
var ndjsonSigs = true

// ndjsonRejects fills typedrej and rawrej for a streamed NDJSON file with
// rejected rows, its records unnumbered (see above), from typedrej as
// check_rejects.sql fills it. ok false leaves typedrej so, for keyedRejects.
func (l *loader) ndjsonRejects() (ok bool, err error) {
	if l.sigCap > 0 {
		if ok, err := l.ndjsonRejectsBySig(); err != nil || ok {
			return ok, err
		}
	}
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
	err = l.appendTo([]string{"ndjlines"}, func(app []*duckdb.Appender) error {
		return findNDJSONLines(l.ctx, l.readPath, newTextSet(texts), func(text string, _ uint64, line int64) error {
			return app[0].AppendRow(text, line)
		})
	})
	if err != nil {
		return false, fmt.Errorf("lines of rejected rows: %w", err)
	}
	return l.ndjsonFound()
}

// ndjsonRejectsBySig is ndjsonRejects without the scan of the file in
// DuckDB that keeps the rejected objects' texts: the check pass kept their
// signatures (counts.sql.tmpl's .Sigs), and the scan in Go that finds their
// lines fills ndjrej (key, text) too. ok false when the signatures are not
// one for each rejected row (the file then takes the texts' scan).
func (l *loader) ndjsonRejectsBySig() (ok bool, err error) {
	sigs, n, err := readSigs(l.ctx, l.c)
	if err != nil || n != l.n.bad {
		return false, err
	}
	for _, q := range []string{sqlNDJSONLinesCreate, sqlNDJSONRejCreate} {
		if _, err := l.c.ExecContext(l.ctx, q); err != nil {
			return false, err
		}
	}
	seen := map[string]bool{}
	err = l.appendTo([]string{"ndjlines", "ndjrej"}, func(app []*duckdb.Appender) error {
		return findNDJSONLines(l.ctx, l.readPath, sigs, func(text string, key uint64, line int64) error {
			if !seen[text] {
				seen[text] = true
				if err := app[1].AppendRow(key, text); err != nil {
					return err
				}
			}
			return app[0].AppendRow(text, line)
		})
	})
	if err != nil {
		return false, fmt.Errorf("lines of rejected rows: %w", err)
	}
	if ok, err = l.ndjsonFound(); ok {
		ndjsonSigFinds.Add(1)
	}
	return ok, err
}

// appendTo runs fill with an appender to each of the temp tables, in their
// order, and closes them.
func (l *loader) appendTo(tables []string, fill func([]*duckdb.Appender) error) error {
	return l.c.Raw(func(dc any) (err error) {
		apps := make([]*duckdb.Appender, 0, len(tables))
		defer func() {
			for _, app := range apps {
				if cerr := app.Close(); err == nil {
					err = cerr
				}
			}
		}()
		for _, t := range tables {
			app, err := duckdb.NewAppender(dc.(driver.Conn), "temp", "main", t)
			if err != nil {
				return err
			}
			apps = append(apps, app)
		}
		return fill(apps)
	})
}

// ndjsonFound numbers the rejected rows by the lines found (ndjlines, whose
// texts ndjrej keys): ok false when they are not as many as the check pass
// rejected.
func (l *loader) ndjsonFound() (ok bool, err error) {
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

// rejectSigCap is how many rejected objects' signatures the check pass
// keeps (0: none): a streamed NDJSON file whose scan counted its objects,
// as many as can be rejected without putting the file over the reject
// threshold, plus one.
func (l *loader) rejectSigCap() int64 {
	if !ndjsonSigs || !l.r.json || l.r.lines || l.r.arrow || l.small || l.copied || l.scan == nil || !l.scan.ok() {
		return 0
	}
	return int64(float64(l.scan.objects)**l.cfg.Ingest.RejectThreshold) + 1
}

// lineMatcher picks the lines (without the JSON whitespace around them)
// that hold a rejected object; key is the object's content key, if known.
type lineMatcher interface {
	match(b []byte) (key uint64, ok bool)
	empty() bool
}

// textSet matches the lines that are one of its texts.
type textSet struct {
	texts   map[string]struct{}
	lengths map[int]bool
}

func newTextSet(texts map[string]struct{}) textSet {
	lengths := map[int]bool{}
	for t := range texts {
		lengths[len(t)] = true
	}
	return textSet{texts, lengths}
}

func (s textSet) empty() bool { return len(s.texts) == 0 }

func (s textSet) match(b []byte) (uint64, bool) {
	if !s.lengths[len(b)] {
		return 0, false
	}
	_, ok := s.texts[string(b)]
	return 0, ok
}

// sig is a rejected object's signature (counts.sql.tmpl's .Sigs).
type sig struct {
	bytes int
	md5   [md5.Size]byte
	key   uint64
}

// sigSet matches the lines whose first sigHead characters, byte length
// and md5 are those of a rejected object.
type sigSet map[string][]sig

// sigHead is how many characters of a text its signature keeps (counts.sql.tmpl
// renders it into left(__line, n)).
const sigHead = 48

func (s sigSet) empty() bool { return len(s) == 0 }

func (s sigSet) match(b []byte) (uint64, bool) {
	cands, ok := s[string(head(b, sigHead))]
	if !ok {
		return 0, false
	}
	var sum [md5.Size]byte
	summed := false
	for _, c := range cands {
		if c.bytes != len(b) {
			continue
		}
		if !summed {
			sum, summed = md5.Sum(b), true
		}
		if sum == c.md5 {
			return c.key, true
		}
	}
	return 0, false
}

// head is b's first n characters (UTF-8 code points, as DuckDB's left).
func head(b []byte, n int) []byte {
	i := 0
	for k := 0; k < n && i < len(b); k++ {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	return b[:i]
}

// readSigs reads the signatures the check pass kept (ndjson_sigs.sql) and counts them.
func readSigs(ctx context.Context, c *sql.Conn) (sigSet, int64, error) {
	rows, err := c.QueryContext(ctx, sqlNDJSONSigs)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := sigSet{}
	var n int64
	for rows.Next() {
		var g sig
		var h, m string
		if err := rows.Scan(&g.key, &g.bytes, &h, &m); err != nil {
			return nil, 0, err
		}
		if _, err := hex.Decode(g.md5[:], []byte(m)); err != nil {
			return nil, 0, fmt.Errorf("md5 %q: %w", m, err)
		}
		out[h] = append(out[h], g)
		n++
	}
	return out, n, rows.Err()
}

// findNDJSONLines reads an NDJSON file (compressed or not) and calls found
// with the record number of every line that, without the JSON whitespace
// around it, want matches: lines are LF-separated, and blank ones are not
// records (DuckDB's reader skips them).
func findNDJSONLines(ctx context.Context, path string, want lineMatcher, found func(text string, key uint64, line int64) error) error {
	if want.empty() {
		return nil
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
		if key, ok := want.match(b); ok {
			return found(string(b), key, record)
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
