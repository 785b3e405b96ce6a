//go:build duckdb_arrow

package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/duckdb/duckdb-go/v2"

	"attrib/warehouse"
)

// arrowMagic starts (and ends) an Arrow IPC file; a stream has no magic.
var arrowMagic = []byte("ARROW1")

// arrowColumns lists the field names of an Arrow IPC file or stream.
func arrowColumns(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open arrow file: %w", err)
	}
	defer f.Close()
	rdr, err := openArrow(f)
	if err != nil {
		return nil, fmt.Errorf("read arrow %s: %w", path, err)
	}
	defer rdr.Release()
	var out []string
	for _, fld := range rdr.Schema().Fields() {
		out = append(out, fld.Name)
	}
	return out, nil
}

// execOverArrow runs one statement q that reads the Arrow IPC file or
// stream at path through the view arrowView. The file is read in Go, batch
// by batch; the view is registered, scanned once by q and dropped in one
// transaction on the driver connection, and released only after q has
// finished: a view left behind in a file database would break its next open.
func execOverArrow(ctx context.Context, c *sql.Conn, path, q string, args []any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open arrow file: %w", err)
	}
	defer f.Close()
	rdr, err := openArrow(f)
	if err != nil {
		return fmt.Errorf("read arrow %s: %w", path, err)
	}
	defer rdr.Release()
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	err = c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("not a driver connection")
		}
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return errors.New("driver connection cannot execute")
		}
		exec := func(ctx context.Context, q string, args []driver.NamedValue) error {
			_, err := ex.ExecContext(ctx, q, args)
			return err
		}
		ar, err := duckdb.NewArrowFromConn(conn)
		if err != nil {
			return err
		}
		if err := exec(ctx, "BEGIN TRANSACTION", nil); err != nil {
			return err
		}
		release, err := ar.RegisterView(rdr, arrowView)
		if err != nil {
			_ = exec(context.Background(), "ROLLBACK", nil)
			return err
		}
		qerr := exec(ctx, q, named)
		derr := exec(context.Background(), "DROP VIEW IF EXISTS "+warehouse.QuoteIdent(arrowView), nil)
		if qerr != nil || derr != nil {
			_ = exec(context.Background(), "ROLLBACK", nil)
			release()
			return errors.Join(qerr, derr)
		}
		cerr := exec(context.Background(), "COMMIT", nil)
		release()
		return cerr
	})
	if err != nil {
		return err
	}
	if err := rdr.Err(); err != nil {
		return fmt.Errorf("read arrow %s: %w", path, err)
	}
	return nil
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
		return &fileRecords{fr: fr, refs: 1}, nil
	}
	return ipc.NewReader(f)
}

// fileRecords walks an Arrow IPC file's batches as an array.RecordReader.
type fileRecords struct {
	fr   *ipc.FileReader
	cur  arrow.RecordBatch
	err  error
	refs int64
}

func (r *fileRecords) Retain() { atomic.AddInt64(&r.refs, 1) }

func (r *fileRecords) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		_ = r.fr.Close()
	}
}

func (r *fileRecords) Schema() *arrow.Schema { return r.fr.Schema() }

func (r *fileRecords) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
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

func (r *fileRecords) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch, part of array.RecordReader.
func (r *fileRecords) Record() arrow.RecordBatch { return r.cur }

func (r *fileRecords) Err() error { return r.err }
