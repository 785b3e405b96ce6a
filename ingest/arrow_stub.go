//go:build !duckdb_arrow

package ingest

import (
	"context"
	"database/sql"
	"errors"
)

var errNoArrow = errors.New("arrow IPC sources need a build with -tags duckdb_arrow")

// arrowColumns needs arrow-go with duckdb-go's Arrow interface (build tag duckdb_arrow).
func arrowColumns(path string) ([]string, error) { return nil, errNoArrow }

// execOverArrow needs duckdb-go's Arrow interface (build tag duckdb_arrow).
func execOverArrow(ctx context.Context, c *sql.Conn, path, q string, args []any) error {
	return errNoArrow
}
