//go:build !duckdb_arrow

package ingest

import (
	"context"
	"database/sql"
	"errors"
)

var errNoArrow = errors.New("Arrow IPC sources, and NDJSON files with malformed lines, need a build with -tags duckdb_arrow")

// arrowColumns needs arrow-go with duckdb-go's Arrow interface (build tag duckdb_arrow).
func arrowColumns(path string) (names, types []string, err error) { return nil, nil, errNoArrow }

// execOverArrow needs duckdb-go's Arrow interface (build tag duckdb_arrow).
func execOverArrow(ctx context.Context, c *sql.Conn, r reader, q string, args []any) error {
	return errNoArrow
}

// withArrowView needs duckdb-go's Arrow interface (build tag duckdb_arrow).
func withArrowView(ctx context.Context, c *sql.Conn, r reader, fn func(tx execer) error) error {
	return errNoArrow
}

// goIDCheck: without duckdb-go's Arrow interface, DuckDB's distinct count
// looks for repeated ids (fast_check.sql.tmpl's .InFile).
const goIDCheck = false

// idsRepeat needs duckdb-go's Arrow interface (build tag duckdb_arrow).
func idsRepeat(ctx context.Context, c *sql.Conn, tx execer, q, loadID string, n int64) (bool, error) {
	return false, errNoArrow
}
