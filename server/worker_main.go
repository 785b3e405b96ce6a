package server

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"attrib/access"
	"attrib/warehouse"
)

// MaybeRunWorker turns this process into a statement worker when serve
// started it as one (see worker.go): it serves the one request on stdin and
// exits. cmd/attrib's main calls it first, and so does TestMain of every
// package whose tests start a server (the test binary is the worker there).
func MaybeRunWorker() {
	if os.Getenv(workerEnv) != "1" {
		return
	}
	os.Exit(workerMain(os.Stdin, os.Stdout))
}

// workerMain serves requests until stdin ends or serve is gone; the exit
// code is 0 when every request was answered.
func workerMain(in io.Reader, out io.Writer) int {
	go exitWithParent()
	dec := gob.NewDecoder(bufio.NewReaderSize(in, 64<<10))
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := gob.NewEncoder(bw)
	send := func(m *workerMsg) error {
		if err := enc.Encode(m); err != nil {
			return err
		}
		return bw.Flush()
	}
	dbs := &snapshotCache{}
	defer dbs.close()
	for {
		var req workerRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintf(os.Stderr, "statement worker: request: %v\n", err)
			return 2
		}
		final, err := serveRequest(dbs, &req, send)
		if err != nil {
			final = &workerMsg{Kind: msgError, Err: toWorkerError(err)}
		}
		if err := send(final); err != nil {
			fmt.Fprintf(os.Stderr, "statement worker: answer: %v\n", err)
			return 2
		}
	}
}

// exitWithParent ends the worker when serve is gone, even in the middle of
// a statement that DuckDB cannot interrupt.
func exitWithParent() {
	parent := os.Getppid()
	for range time.Tick(500 * time.Millisecond) {
		if os.Getppid() != parent {
			os.Exit(3)
		}
	}
}

// snapshotCache keeps the snapshot instance a worker has open: one file
// at a time, the one before closed before another opens, so that serve
// knows which file a worker may have open (it patches a snapshot file in
// place only when no worker has it open, workerPool.drop).
type snapshotCache struct {
	locs map[string]*time.Location
	path string
	db   *sql.DB
	conn *duckdb.Connector
}

func (c *snapshotCache) get(ctx context.Context, req *workerRequest) (*sql.DB, error) {
	if c.db != nil && c.path == req.Snapshot {
		return c.db, nil
	}
	c.close()
	db, connector, err := openSnapshot(ctx, req.Snapshot, req.TimeZone, req.MemoryLimit, req.Threads)
	if err != nil {
		return nil, err
	}
	c.path, c.db, c.conn = req.Snapshot, db, connector
	return db, nil
}

// location loads a time zone once per worker (UTC when unknown).
func (c *snapshotCache) location(name string) *time.Location {
	if loc, ok := c.locs[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	if c.locs == nil {
		c.locs = map[string]*time.Location{}
	}
	c.locs[name] = loc
	return loc
}

func (c *snapshotCache) close() {
	if c.db != nil {
		_ = c.db.Close()
		_ = c.conn.Close()
		c.path, c.db, c.conn = "", nil, nil
	}
}

// serveRequest runs one request's operation on a fresh connection.
func serveRequest(dbs *snapshotCache, req *workerRequest, send func(*workerMsg) error) (*workerMsg, error) {
	ctx := context.Background()
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	loc := dbs.location(req.TimeZone)
	db, err := dbs.get(ctx, req)
	if err != nil {
		return nil, err
	}
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("server: connection: %w", err)
	}
	defer c.Close()
	s := &Server{maxRows: req.MaxRows, maxResultBytes: req.MaxResultBytes, loc: loc}
	switch req.Op {
	case opDescribe, opPG:
		if _, err := c.ExecContext(ctx, sqlPGSession); err != nil {
			return nil, fmt.Errorf("server: session catalog: %w", err)
		}
		stmt, err := access.ReadStatement(ctx, c, req.SQL)
		if err != nil {
			return nil, err
		}
		if req.Op == opDescribe {
			types, params, err := describe(ctx, c, stmt, loc)
			if err != nil {
				return nil, err
			}
			m := &workerMsg{Kind: msgDescribe, Statement: stmt, Params: params}
			for _, t := range types {
				m.Names = append(m.Names, t.name)
				m.OIDs = append(m.OIDs, t.oid)
			}
			return m, nil
		}
		n, err := s.streamPG(ctx, c, stmt, req.Args, req.Binary, func(rows [][]any) error {
			return send(&workerMsg{Kind: msgRows, Rows: rows})
		})
		if err != nil {
			return nil, err
		}
		return &workerMsg{Kind: msgDone, Count: n}, nil
	case opHTTP:
		fw := &frameResponse{header: http.Header{}, send: send}
		if err := s.writeResult(ctx, fw, c, statement{sql: req.SQL, args: req.Args, media: req.Media, name: req.Name}, true); err != nil {
			return nil, err
		}
		return &workerMsg{Kind: msgDone}, nil
	}
	return nil, fmt.Errorf("server: statement worker: unknown operation %q", req.Op)
}

// streamPG prepares stmt once, learns its column types from the prepared
// statement and streams its rows converted for the wire in batches.
func (s *Server) streamPG(ctx context.Context, c *sql.Conn, stmt string, args []any, binary []bool, write func([][]any) error) (int, error) {
	var count int
	err := c.Raw(func(dc any) error {
		prep, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, stmt)
		if err != nil {
			return err
		}
		defer prep.Close()
		dst, ok := prep.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("server: unexpected statement type %T", prep)
		}
		types, err := columnTypes(dst, s.loc)
		if err != nil {
			return err
		}
		rows, err := dst.QueryContext(ctx, warehouse.NamedArgs(args))
		if err != nil {
			return err
		}
		defer rows.Close()
		bin := make([]bool, len(types))
		copy(bin, binary)
		st := &streamer{maxRows: s.maxRows, write: write, types: types, binary: bin}
		dest := make([]driver.Value, len(types))
		err = st.stream(func(raw []any) (bool, error) {
			if err := rows.Next(dest); err != nil {
				if errors.Is(err, io.EOF) {
					return false, nil
				}
				return false, err
			}
			for i, v := range dest {
				raw[i] = v
			}
			return true, nil
		})
		count = st.count
		return err
	})
	return count, err
}

// frameResponse is the worker's http.ResponseWriter: headers go with the
// first bytes, bytes go as data frames.
type frameResponse struct {
	header     http.Header
	send       func(*workerMsg) error
	headerSent bool
}

func (f *frameResponse) Header() http.Header { return f.header }
func (f *frameResponse) WriteHeader(int)     {}

func (f *frameResponse) Write(p []byte) (int, error) {
	if !f.headerSent {
		f.headerSent = true
		if err := f.send(&workerMsg{Kind: msgHeader, Header: f.header}); err != nil {
			return 0, err
		}
	}
	if err := f.send(&workerMsg{Kind: msgData, Data: p}); err != nil {
		return 0, err
	}
	return len(p), nil
}
