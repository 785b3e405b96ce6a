//go:build duckdb_arrow

package ingest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"attrib/warehouse"
)

// arrowMagic starts (and ends) an Arrow IPC file; a stream has no magic.
var arrowMagic = []byte("ARROW1")

// arrowColumns lists the field names of an Arrow IPC file or stream and the
// DuckDB type each arrives as, where nativeRole may keep it ("" otherwise).
func arrowColumns(path string) (names, types []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open arrow file: %w", err)
	}
	defer f.Close()
	rdr, err := openArrow(f)
	if err != nil {
		return nil, nil, fmt.Errorf("read arrow %s: %w", path, err)
	}
	defer rdr.Release()
	for _, fld := range rdr.Schema().Fields() {
		names = append(names, fld.Name)
		types = append(types, duckType(fld.Type))
	}
	return names, types, nil
}

// duckType is the DuckDB type of an Arrow field as duckdb-go's Arrow scan
// delivers it, for the types nativeRole may keep ("" for the others, which
// take the text path: nanosecond timestamps, floats, strings...).
func duckType(t arrow.DataType) string {
	switch t := t.(type) {
	case *arrow.TimestampType:
		switch {
		case t.Unit == arrow.Nanosecond:
			return ""
		case t.TimeZone != "":
			return "TIMESTAMP WITH TIME ZONE"
		case t.Unit == arrow.Second:
			return "TIMESTAMP_S"
		case t.Unit == arrow.Millisecond:
			return "TIMESTAMP_MS"
		}
		return "TIMESTAMP"
	case *arrow.Date32Type:
		return "DATE"
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	}
	switch t.ID() {
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.INT64:
		return "BIGINT"
	case arrow.UINT8:
		return "UTINYINT"
	case arrow.UINT16:
		return "USMALLINT"
	case arrow.UINT32:
		return "UINTEGER"
	case arrow.UINT64:
		return "UBIGINT"
	}
	return ""
}

// execOverArrow runs one statement q that reads the file of r (an Arrow IPC
// file or stream, or NDJSON lines) through the view arrowView (see withArrowView).
func execOverArrow(ctx context.Context, c *sql.Conn, r reader, q string, args []any) error {
	return withArrowView(ctx, c, r, func(tx execer) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
}

// withArrowView runs fn in one transaction on the driver connection while
// the file of r is registered as the view arrowView: an Arrow IPC file or
// stream, or, for NDJSON read line by line (r.lines), its lines (see
// lineRecords). fn may scan the view once. The file is read in Go, batch by
// batch; the view is dropped in the same transaction and released only after
// fn has finished: a view left behind in a file database would break its next
// open. The transaction commits when fn returns nil and rolls back otherwise.
//
// duckdb-go's Arrow scan ignores DuckDB's projection: a scan that reads
// columns i < j < ... of the view gets the view's columns 0, 1, ... in their
// place (wrong values, or a crash for a string read as a number). Every scan
// must therefore read a prefix of the view's columns: r.keep narrows an
// Arrow file to the columns a statement reads (all of them, see
// usedColumns), and the NDJSON line queries read a prefix of lineSchema.
func withArrowView(ctx context.Context, c *sql.Conn, r reader, fn func(tx execer) error) error {
	path := r.path
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open file: %w", err)
	}
	defer f.Close()
	var rdr array.RecordReader
	if r.lines {
		rdr, err = newLineRecords(f, compression(path), r.maskKeys)
	} else {
		rdr, err = openArrow(f)
		if err == nil && r.keep != nil {
			rdr, err = project(rdr, r.keep)
		}
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer rdr.Release()
	err = c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a driver connection")
		}
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return errors.New("driver connection cannot execute")
		}
		tx := driverExecer{ex, conn}
		exec := func(ctx context.Context, q string) error {
			_, err := ex.ExecContext(ctx, q, nil)
			return err
		}
		ar, err := duckdb.NewArrowFromConn(conn)
		if err != nil {
			return err
		}
		if err := exec(ctx, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		release, err := ar.RegisterView(rdr, arrowView)
		if err != nil {
			_ = exec(context.Background(), "ROLLBACK")
			return err
		}
		ferr := fn(tx)
		derr := exec(context.Background(), "DROP VIEW IF EXISTS "+warehouse.QuoteIdent(arrowView))
		if ferr != nil || derr != nil {
			_ = exec(context.Background(), "ROLLBACK")
			release()
			return errors.Join(ferr, derr)
		}
		cerr := exec(context.Background(), "COMMIT")
		release()
		return cerr
	})
	if err != nil {
		return err
	}
	if err := rdr.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// driverExecer runs statements with positional arguments on a driver connection.
type driverExecer struct {
	ex   driver.ExecerContext
	conn driver.Conn
}

// goIDCheck: the fast path looks for repeated ids in Go (idsRepeat).
const goIDCheck = true

// idsRepeat reports whether the rows q (fast_id_hashes.sql.tmpl) reads, the
// hashes of the ids the load loadID inserted, repeat a value. It reads them
// as Arrow batches in the load's transaction: on tx's driver connection (a
// statement of withArrowView) or on c's (tx is then c's *sql.Tx), and
// sorts them in Go (hasRepeat). n is the number of rows inserted.
func idsRepeat(ctx context.Context, c *sql.Conn, tx execer, q, loadID string, n int64) (bool, error) {
	hs := make([]uint64, 0, n)
	read := func(conn driver.Conn) error {
		ar, err := duckdb.NewArrowFromConn(conn)
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, q, loadID)
		if err != nil {
			return err
		}
		defer rr.Release()
		for rr.Next() {
			col, ok := rr.RecordBatch().Column(0).(*array.Uint64)
			if !ok {
				return fmt.Errorf("id hashes arrive as %s", rr.RecordBatch().Column(0).DataType())
			}
			hs = append(hs, col.Uint64Values()...)
		}
		return rr.Err()
	}
	var err error
	if d, ok := tx.(driverExecer); ok {
		err = read(d.conn)
	} else {
		err = c.Raw(func(dc any) error { return read(dc.(driver.Conn)) })
	}
	if err != nil {
		return false, fmt.Errorf("id hashes: %w", err)
	}
	if int64(len(hs)) != n {
		return false, fmt.Errorf("id hashes: %d of %d rows", len(hs), n)
	}
	return hasRepeat(hs), nil
}

func (d driverExecer) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.ex.ExecContext(ctx, q, warehouse.NamedArgs(args))
}

// openArrow opens an Arrow IPC file (random access, "ARROW1" magic) or stream.
func openArrow(f *os.File) (array.RecordReader, error) {
	head := make([]byte, len(arrowMagic))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if n == len(arrowMagic) && bytes.Equal(head, arrowMagic) {
		fr, err := ipc.NewFileReader(f)
		if err != nil {
			return nil, err
		}
		return &fileRecords{fr: fr, batches: batches{refs: 1, close: func() { _ = fr.Close() }}}, nil
	}
	return ipc.NewReader(f)
}

// batches is what the array.RecordReaders below share: the reference count,
// the current batch, and what the last Release closes.
type batches struct {
	refs  int64
	cur   arrow.RecordBatch
	close func()
}

func (b *batches) Retain() { atomic.AddInt64(&b.refs, 1) }

func (b *batches) Release() {
	if atomic.AddInt64(&b.refs, -1) == 0 {
		b.drop()
		b.close()
	}
}

// drop releases the current batch, before the next is read.
func (b *batches) drop() {
	if b.cur != nil {
		b.cur.Release()
		b.cur = nil
	}
}

func (b *batches) RecordBatch() arrow.RecordBatch { return b.cur }

// Record is the deprecated name of RecordBatch, part of array.RecordReader.
func (b *batches) Record() arrow.RecordBatch { return b.cur }

// fileRecords walks an Arrow IPC file's batches as an array.RecordReader.
type fileRecords struct {
	batches
	fr  *ipc.FileReader
	err error
}

func (r *fileRecords) Schema() *arrow.Schema { return r.fr.Schema() }

func (r *fileRecords) Next() bool {
	r.drop()
	rec, err := r.fr.Read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			r.err = err
		}
		return false
	}
	rec.Retain()
	r.cur = rec
	return true
}

func (r *fileRecords) Err() error { return r.err }

// lineBatch is the number of NDJSON lines per Arrow batch.
const lineBatch = 16 << 10

// lineSchema is the view over NDJSON lines: the physical line number, the
// line when it is a JSON value, else why not and the line with e-mail
// addresses and phone numbers masked.
var lineSchema = arrow.NewSchema([]arrow.Field{
	{Name: "line", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "json", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "reason", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// lineRecords reads an NDJSON file (gzip or zstd compressed, LF or CRLF line
// ends) line by line as Arrow batches of lineSchema. Blank lines are
// skipped but counted; a line that is not UTF-8 or not JSON gets a reason
// instead of its JSON. It is the slow path for a file with malformed lines,
// which DuckDB's NDJSON reader refuses as a whole.
type lineRecords struct {
	batches
	rd   *bufio.Reader
	mask func(string) string
	line int64
	err  error
	done bool
}

func newLineRecords(f *os.File, kind string, maskKeys []string) (*lineRecords, error) {
	rc, err := openDecompressor(f, kind)
	if err != nil {
		return nil, err
	}
	return &lineRecords{rd: bufio.NewReaderSize(rc, 1<<20), mask: maskRecord(maskKeys),
		batches: batches{refs: 1, close: func() { _ = rc.Close() }}}, nil
}

func (l *lineRecords) Schema() *arrow.Schema { return lineSchema }

func (l *lineRecords) Next() bool {
	l.drop()
	if l.done {
		return false
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, lineSchema)
	defer b.Release()
	lines := b.Field(0).(*array.Int64Builder)
	jsons := b.Field(1).(*array.StringBuilder)
	reasons := b.Field(2).(*array.StringBuilder)
	raws := b.Field(3).(*array.StringBuilder)
	n := 0
	for n < lineBatch {
		text, err := l.rd.ReadBytes('\n')
		if len(text) > 0 {
			l.line++
			text = bytes.TrimSuffix(bytes.TrimSuffix(text, []byte("\n")), []byte("\r"))
			if len(bytes.TrimSpace(text)) > 0 {
				lines.Append(l.line)
				switch reason := lineProblem(text); reason {
				case "":
					jsons.Append(string(text))
					reasons.AppendNull()
					raws.AppendNull()
				default:
					jsons.AppendNull()
					reasons.Append(reason)
					raws.Append(l.mask(strings.ToValidUTF8(string(text), "\uFFFD")))
				}
				n++
			}
		}
		if err != nil {
			l.done = true
			if !errors.Is(err, io.EOF) {
				l.err = err
			}
			break
		}
	}
	if n == 0 {
		return false
	}
	l.cur = b.NewRecordBatch()
	return true
}

// lineProblem says why an NDJSON line cannot be read ("" when it can).
func lineProblem(text []byte) string {
	if !utf8.Valid(text) {
		return "invalid encoding: the line is not UTF-8"
	}
	if json.Valid(text) {
		return ""
	}
	var v json.RawMessage
	err := json.Unmarshal(text, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, se.Error())
	}
	if err != nil {
		return "malformed JSON: " + err.Error()
	}
	return "malformed JSON"
}

func (l *lineRecords) Err() error { return l.err }

// projected is an Arrow RecordReader narrowed to some of its columns.
type projected struct {
	batches
	in     array.RecordReader
	idx    []int
	schema *arrow.Schema
}

// project narrows rdr to the columns named keep (which it must have).
func project(rdr array.RecordReader, keep []string) (array.RecordReader, error) {
	p := &projected{in: rdr, batches: batches{refs: 1, close: rdr.Release}}
	var fields []arrow.Field
	for _, name := range keep {
		i := rdr.Schema().FieldIndices(name)
		if len(i) == 0 {
			rdr.Release()
			return nil, fmt.Errorf("column %q is not in the file", name)
		}
		p.idx = append(p.idx, i[0])
		fields = append(fields, rdr.Schema().Field(i[0]))
	}
	md := rdr.Schema().Metadata()
	p.schema = arrow.NewSchema(fields, &md)
	return p, nil
}

func (p *projected) Schema() *arrow.Schema { return p.schema }

func (p *projected) Next() bool {
	p.drop()
	if !p.in.Next() {
		return false
	}
	rec := p.in.RecordBatch()
	cols := make([]arrow.Array, len(p.idx))
	for i, j := range p.idx {
		cols[i] = rec.Column(j)
	}
	p.cur = array.NewRecordBatch(p.schema, cols, rec.NumRows())
	return true
}

func (p *projected) Err() error { return p.in.Err() }
