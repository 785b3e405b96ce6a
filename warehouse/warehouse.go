package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Options are the settings of one warehouse. Zero values mean DuckDB's defaults.
type Options struct {
	Path          string // DuckDB file; "" opens an in-memory warehouse (tests)
	MemoryLimit   string // e.g. "4GB"; "" = DefaultMemoryLimit of the machine's memory
	Threads       int    // 0 = all cores
	TempDirectory string // spill directory; "" = <path>.tmp next to the file
	TimeZone      string // IANA zone for timestamps without a zone; "" = UTC
	ReadOnly      bool   // open with access_mode=read_only (no migrations)
	// QueryLog, when set, is a folder where DuckDB logs every statement of
	// this instance with the time it started (duckdb_log_entries.csv), to see
	// where a run's time goes statement by statement (scripts/querylog_top.py).
	QueryLog string
}

// StorageVersion is the DuckDB storage format of the database files attrib
// creates: v1.3.0 is the oldest with DICT_FSST string compression, which
// compresses dataset tables as well as DuckDB's default format (v1.0.0:
// dictionary and FSST tried one after the other) and writes them about 1.5x
// faster; loads are mostly string compression. Such files open in DuckDB 1.3
// and later (docs/operations.md, "Warehouse file format").
const StorageVersion = "v1.3.0"

// Warehouse is an open DuckDB database with attrib's schema.
type Warehouse struct {
	db   *sql.DB
	conn *duckdb.Connector
	opts Options

	fileMu sync.Mutex
	file   *os.File // the DuckDB file, read by CopyFile; closed after DuckDB
	// afterCopy, when set (tests), runs between a file copy and the check
	// of the headers.
	afterCopy func()
}

// Open opens (creating if needed) the warehouse and applies pending migrations.
func Open(ctx context.Context, opts Options) (*Warehouse, error) {
	if opts.TimeZone == "" {
		opts.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(opts.TimeZone); err != nil {
		return nil, fmt.Errorf("warehouse: time zone %q: %w", opts.TimeZone, err)
	}
	if strings.ContainsAny(opts.Path, "?%#") {
		// duckdb-go parses the DSN as a URL: these characters would be taken for its syntax.
		return nil, fmt.Errorf("warehouse: path %q: the characters ?, %% and # are not supported in the warehouse path; choose another folder or file name", opts.Path)
	}
	if opts.Path != "" {
		if err := os.MkdirAll(filepath.Dir(opts.Path), 0o755); err != nil {
			return nil, fmt.Errorf("warehouse: create folder for %s: %w", opts.Path, err)
		}
		if opts.TempDirectory == "" {
			opts.TempDirectory = opts.Path + ".tmp"
		}
	}
	if opts.MemoryLimit == "" {
		opts.MemoryLimit = DefaultMemoryLimit(machineMemory())
	}
	params := url.Values{}
	// New database files (the warehouse, the people's snapshot ATTACHed from
	// it) are written in StorageVersion's format; an existing file keeps its own.
	params.Set("storage_compatibility_version", StorageVersion)
	if opts.MemoryLimit != "" {
		params.Set("memory_limit", opts.MemoryLimit)
	}
	if opts.Threads > 0 {
		params.Set("threads", strconv.Itoa(opts.Threads))
	}
	if opts.TempDirectory != "" {
		params.Set("temp_directory", opts.TempDirectory)
	}
	if opts.ReadOnly {
		params.Set("access_mode", "read_only")
	}
	allocatorParams(params, opts.ReadOnly)
	dsn := opts.Path
	if len(params) > 0 {
		dsn += "?" + params.Encode()
	}
	tz := opts.TimeZone
	connector, err := duckdb.NewConnector(dsn, func(execer driver.ExecerContext) error {
		// ICU is bundled but not autoloaded; it provides TIMESTAMPTZ arithmetic and zones.
		_, err := execer.ExecContext(context.Background(), "LOAD icu; SET TimeZone = "+QuoteLiteral(tz), nil)
		return err
	})
	if err != nil {
		return nil, classifyOpenError(opts.Path, err)
	}
	db := sql.OpenDB(connector)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		_ = connector.Close()
		return nil, classifyOpenError(opts.Path, err)
	}
	w := &Warehouse{db: db, conn: connector, opts: opts}
	if opts.QueryLog != "" {
		if _, err := db.ExecContext(ctx, sqlQueryLog, opts.QueryLog); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("warehouse: query log in %s: %w", opts.QueryLog, err)
		}
	}
	if err := keepFreedWithin(ctx, w); err != nil {
		_ = w.Close()
		return nil, err
	}
	if !opts.ReadOnly {
		if err := w.migrate(ctx); err != nil {
			_ = w.Close()
			return nil, err
		}
	}
	return w, nil
}

// DB is the connection pool. Each pooled connection has the time zone set.
func (w *Warehouse) DB() *sql.DB { return w.db }

// Options returns the effective settings.
func (w *Warehouse) Options() Options { return w.opts }

// Path is the DuckDB file ("" when in memory).
func (w *Warehouse) Path() string { return w.opts.Path }

// Close closes the pool and the database.
func (w *Warehouse) Close() error {
	err := w.db.Close()
	if cerr := w.conn.Close(); err == nil {
		err = cerr
	}
	// Only now: closing a descriptor of the file drops the process's lock on it.
	w.fileMu.Lock()
	if w.file != nil {
		_ = w.file.Close()
		w.file = nil
	}
	w.fileMu.Unlock()
	if err != nil {
		return fmt.Errorf("warehouse: close: %w", err)
	}
	return nil
}

// Tx runs fn in one transaction on one connection; it commits when fn
// returns nil and rolls back otherwise (also when ctx is cancelled).
func (w *Warehouse) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("warehouse: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("warehouse: commit: %w", err)
	}
	return nil
}

// Conn runs fn on one dedicated connection (for temp tables and Arrow).
func (w *Warehouse) Conn(ctx context.Context, fn func(c *sql.Conn) error) error {
	c, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("warehouse: connection: %w", err)
	}
	defer c.Close()
	return fn(c)
}
