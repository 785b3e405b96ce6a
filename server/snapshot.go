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

	"github.com/duckdb/duckdb-go/v2"

	"attrib/warehouse"
)

// People's SQL never runs on the pipeline's DuckDB instance. DuckDB's
// enable_external_access and lock_configuration are global to an instance
// (SET SESSION enable_external_access is refused), so switching them off
// there would stop the pipeline reading its source files. Instead, after
// every finished run the server copies the warehouse into a snapshot file
// (the file's bytes after a checkpoint, see snapshotCopy) and opens that file in a
// second, read-only DuckDB instance with external access disabled and its
// configuration locked. People see the results of the last finished run,
// never a half-written one, and cannot read or write server files even if a
// statement slipped past the statement checks.

// snapshot is one read-only DuckDB instance over one snapshot file.
type snapshot struct {
	db        *sql.DB
	connector *duckdb.Connector
	path      string
	marker    string

	mu      sync.Mutex
	refs    int
	retired bool
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

func (s *snapshot) close() {
	_ = s.db.Close()
	_ = s.connector.Close()
	_ = os.RemoveAll(filepath.Dir(s.path))
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
// checkpointed file's bytes (warehouse.CopyFile: a sequential copy, about
// the disk's speed), or, when that cannot be had (in-memory warehouse,
// checkpoint refused or racing), the tables with COPY FROM DATABASE, which
// decodes and compresses every table again (tens of times slower).
func snapshotCopy(ctx context.Context, w *warehouse.Warehouse, path, alias string) error {
	err := w.CopyFile(ctx, path)
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

// Refresh makes a new snapshot when a run has finished since the last one.
// It is cheap when nothing changed; the pipeline may call it after each run.
func (s *Server) Refresh(ctx context.Context) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	marker, err := runMarker(ctx, s.w.DB())
	if err != nil {
		return err
	}
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	if cur != nil && cur.marker == marker {
		return nil
	}
	next, err := s.buildSnapshot(ctx, marker)
	if err != nil {
		return err
	}
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

// acquire returns the current snapshot with a reference held; release it.
func (s *Server) acquire() (*snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.cur == nil {
		return nil, errors.New("server: closed")
	}
	s.cur.acquire()
	return s.cur, nil
}
