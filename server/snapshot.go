package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"attrib/warehouse"
)

// People's SQL never runs on the pipeline's DuckDB instance. DuckDB's
// enable_external_access and lock_configuration are global to an instance
// (SET SESSION enable_external_access is refused), so switching them off
// there would stop the pipeline reading its source files. Instead, after
// every finished run the server brings a snapshot file up to date with the
// warehouse (the file's bytes after a checkpoint) and opens that file in a
// second, read-only DuckDB instance with external access disabled and its
// configuration locked. People see the results of the last finished run,
// never a half-written one, and cannot read or write server files even if a
// statement slipped past the statement checks.
//
// The snapshot is patched in place when no one reads it (snapshot_patch.go):
// only the chunks of the file the run changed are written. While someone
// does (a statement running, an open BEGIN block), the new run goes to a new
// snapshot file, a whole copy, and the old file is removed when released.

// snapshot is one read-only DuckDB instance over one snapshot file.
type snapshot struct {
	db        *sql.DB
	connector *duckdb.Connector
	path      string
	marker    string

	mu      sync.Mutex
	refs    int
	retired bool
	closed  bool          // the instance is closed
	keep    bool          // closing leaves the file (it is patched for the next snapshot)
	gate    chan struct{} // while the file is patched: closed when the next snapshot is in place
}

func (s *snapshot) acquire() {
	s.mu.Lock()
	s.refs++
	s.mu.Unlock()
}

// release drops one reference; the last one of a retired snapshot closes it.
func (s *snapshot) release() {
	s.mu.Lock()
	s.refs--
	done := s.retired && s.refs == 0
	s.mu.Unlock()
	if done {
		s.close()
	}
}

func (s *snapshot) retire() {
	s.mu.Lock()
	s.retired = true
	done := s.refs == 0
	s.mu.Unlock()
	if done {
		s.close()
	}
}

// close closes the instance and, unless the file is kept for patching,
// removes the snapshot's folder.
func (s *snapshot) close() {
	s.closeInstance()
	s.mu.Lock()
	keep := s.keep
	s.mu.Unlock()
	if !keep {
		_ = os.RemoveAll(filepath.Dir(s.path))
	}
}

// closeInstance closes the DuckDB instance (once).
func (s *snapshot) closeInstance() {
	s.mu.Lock()
	done := s.closed
	s.closed = true
	s.mu.Unlock()
	if !done {
		_ = s.db.Close()
		_ = s.connector.Close()
	}
}

// runMarker identifies the warehouse state people should see: the number
// of finished runs and the latest finish time.
func runMarker(ctx context.Context, db *sql.DB) (string, error) {
	var m string
	if err := db.QueryRowContext(ctx, sqlRunMarker).Scan(&m); err != nil {
		return "", fmt.Errorf("server: read run marker: %w", err)
	}
	return m, nil
}

// snapshotCopy writes a consistent copy of the warehouse to path: the
// checkpointed file's bytes with their chunk sums next to it
// (warehouse.CopyFileTracked: a sequential copy, about the disk's speed;
// the sums let the next refresh patch it), or, when that cannot be had
// (in-memory warehouse, checkpoint refused or racing), the tables with
// COPY FROM DATABASE, which decodes and compresses every table again (tens
// of times slower) and leaves no sums (the next refresh copies again).
func snapshotCopy(ctx context.Context, w *warehouse.Warehouse, path, alias string) error {
	_, err := w.CopyFileTracked(ctx, path)
	if !errors.Is(err, warehouse.ErrNoFileCopy) {
		if err != nil {
			return fmt.Errorf("server: snapshot: %w", err)
		}
		return nil
	}
	_ = os.Remove(path)
	return copyWarehouse(ctx, w, path, alias)
}

// copyWarehouse writes a consistent copy of the warehouse to path.
func copyWarehouse(ctx context.Context, w *warehouse.Warehouse, path, alias string) error {
	return w.Conn(ctx, func(c *sql.Conn) error {
		var src string
		if err := c.QueryRowContext(ctx, "SELECT current_database()").Scan(&src); err != nil {
			return fmt.Errorf("server: snapshot: %w", err)
		}
		if _, err := c.ExecContext(ctx, "ATTACH "+warehouse.QuoteLiteral(path)+" AS "+warehouse.QuoteIdent(alias)); err != nil {
			return fmt.Errorf("server: snapshot: attach %s: %w", path, err)
		}
		_, err := c.ExecContext(ctx, "COPY FROM DATABASE "+warehouse.QuoteIdent(src)+" TO "+warehouse.QuoteIdent(alias))
		_, derr := c.ExecContext(context.WithoutCancel(ctx), "DETACH "+warehouse.QuoteIdent(alias))
		if err != nil {
			return fmt.Errorf("server: snapshot: copy: %w", err)
		}
		if derr != nil {
			return fmt.Errorf("server: snapshot: detach: %w", derr)
		}
		return nil
	})
}

// openSnapshot opens a snapshot file in its own locked-down DuckDB instance.
func openSnapshot(ctx context.Context, path, tz, memoryLimit string, threads int) (*sql.DB, *duckdb.Connector, error) {
	params := url.Values{}
	params.Set("access_mode", "read_only")
	if threads > 0 {
		params.Set("threads", fmt.Sprint(threads))
	}
	var once sync.Once
	connector, err := duckdb.NewConnector(path+"?"+params.Encode(), func(execer driver.ExecerContext) error {
		var err error
		once.Do(func() {
			// Global for the instance, once: time zone, then no file access, then lock.
			settings := "LOAD icu; SET TimeZone = " + warehouse.QuoteLiteral(tz)
			if memoryLimit != "" {
				settings += "; SET memory_limit = " + warehouse.QuoteLiteral(memoryLimit)
			}
			_, err = execer.ExecContext(context.Background(), settings+
				"; SET autoinstall_known_extensions = false; SET autoload_known_extensions = false"+
				"; SET enable_external_access = false; SET lock_configuration = true", nil)
		})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("server: open snapshot %s: %w", path, err)
	}
	db := sql.OpenDB(connector)
	// One DuckDB connection per client session: never reuse a connection
	// another person left a transaction or setting on.
	db.SetMaxIdleConns(0)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		_ = connector.Close()
		return nil, nil, fmt.Errorf("server: open snapshot %s: %w", path, err)
	}
	return db, connector, nil
}

// buildSnapshot copies the warehouse and opens the copy.
func (s *Server) buildSnapshot(ctx context.Context, marker string) (*snapshot, error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, fmt.Errorf("server: snapshot folder: %w", err)
	}
	s.seq++
	alias := fmt.Sprintf("attrib_snapshot_%d_%d", os.Getpid(), s.seq)
	// The file is named attrib.duckdb so clients see a database called attrib.
	path := filepath.Join(s.dir, fmt.Sprint(s.seq), "attrib.duckdb")
	_ = os.RemoveAll(filepath.Dir(path))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("server: snapshot folder: %w", err)
	}
	if err := snapshotCopy(ctx, s.w, path, alias); err != nil {
		_ = os.RemoveAll(filepath.Dir(path))
		return nil, err
	}
	db, conn, err := openSnapshot(ctx, path, s.w.Options().TimeZone, s.memoryLimit, s.w.Options().Threads)
	if err != nil {
		_ = os.RemoveAll(filepath.Dir(path))
		return nil, err
	}
	return &snapshot{db: db, connector: conn, path: path, marker: marker}, nil
}

// Refresh brings the snapshot up to date when a run has finished since the
// last one: in place when no one reads it (only what changed is written),
// as a new copy otherwise. It is cheap when nothing changed; the pipeline
// may call it after each run.
func (s *Server) Refresh(ctx context.Context) error {
	_, err := s.RefreshReport(ctx)
	return err
}

// RefreshStats says what one Refresh did.
type RefreshStats struct {
	// How is "unchanged" (no run finished since the last refresh), "patch"
	// (the changed chunks written in place) or "copy" (a whole new file).
	How     string
	Took    time.Duration
	Written int64 // bytes written to the snapshot file
	Size    int64 // the snapshot file's size
}

// RefreshReport is Refresh, saying what it did (serve logs it).
func (s *Server) RefreshReport(ctx context.Context) (st RefreshStats, err error) {
	start := time.Now()
	st.How = "unchanged"
	defer func() { st.Took = time.Since(start) }()
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	marker, err := runMarker(ctx, s.w.DB())
	if err != nil {
		return st, err
	}
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	if cur != nil && cur.marker == marker {
		return st, nil
	}
	if cur != nil {
		done, err := s.patchSnapshot(ctx, cur, marker, &st)
		if done || err != nil {
			return st, err
		}
	}
	next, err := s.buildSnapshot(ctx, marker)
	if err != nil {
		return st, err
	}
	st.copied(next.path)
	return st, s.install(next, cur)
}

// copied records a whole copy into the file at path.
func (st *RefreshStats) copied(path string) {
	st.How, st.Written, st.Size = "copy", 0, 0
	if fi, err := os.Stat(path); err == nil {
		st.Written, st.Size = fi.Size(), fi.Size()
	}
}

// install makes next the current snapshot in place of cur (nil, or one
// still holding the server's reference).
func (s *Server) install(next, cur *snapshot) error {
	next.acquire() // the server's own reference
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		next.retired = true
		next.release()
		return errors.New("server: closed")
	}
	s.cur = next
	s.mu.Unlock()
	if cur != nil {
		cur.release()
		cur.retire()
	}
	return nil
}

// errNoSnapshot: a refresh failed after the snapshot's file was given up
// (a failed patch, then a failed copy); the next refresh makes one again.
var errNoSnapshot = errors.New("server: no snapshot: the last refresh failed; it is tried again")

// acquire returns the current snapshot with a reference held; release it.
// While the snapshot is being patched it waits for the next one, at most
// the statement timeout.
func (s *Server) acquire() (*snapshot, error) {
	var timeout <-chan time.Time
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, errors.New("server: closed")
		}
		cur := s.cur
		if cur == nil {
			s.mu.Unlock()
			return nil, errNoSnapshot
		}
		cur.mu.Lock()
		gate := cur.gate
		if gate == nil {
			cur.refs++
		}
		cur.mu.Unlock()
		s.mu.Unlock()
		if gate == nil {
			return cur, nil
		}
		if timeout == nil {
			t := time.NewTimer(s.timeout)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-gate:
		case <-timeout:
			return nil, fmt.Errorf("server: waiting for the snapshot of the last run: %w", context.DeadlineExceeded)
		}
	}
}
