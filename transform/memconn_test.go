package transform

import (
	"context"
	"database/sql"
	"testing"
)

// memConn is one connection to a fresh in-memory DuckDB, closed with its database when the test
// ends: for tests of single statements on tables they create.
func memConn(t *testing.T) *sql.Conn {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
