package access

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// guardAttacks are statements that hide a write or a second statement
// behind comment, string and quoting tricks (issue #12); DuckDB ends "--"
// comments at \r, reads E'\” as one quote and knows dollar quotes.
var guardAttacks = []string{
	"SELECT 1 --\r; CREATE OR REPLACE TEMP TABLE pwn AS SELECT 1 x; SELECT * FROM pwn",
	"SELECT 1 --\rCREATE TEMP TABLE pwn AS SELECT 1",
	"SELECT E'\\''; CREATE TEMP TABLE pwn AS SELECT 1 x; SELECT '",
	"SELECT E'\\\\'; CREATE TEMP TABLE pwn AS SELECT 1 x; --'",
	"SELECT $a$ $b$ $a$; CREATE TEMP TABLE pwn AS SELECT 1 x; SELECT $b$ $a$",
	"SELECT $$;$$; CREATE TEMP TABLE pwn AS SELECT 1 x",
	"SELECT 1 /* /* */ ; CREATE TEMP TABLE pwn AS SELECT 1 x; /* */",
	"SELECT 1 /* /* */ */; CREATE TEMP TABLE pwn AS SELECT 1 x",
	"EXPLAIN ANALYZE CREATE TEMP TABLE pwn AS SELECT 1 x",
	"EXPLAIN SELECT 1; CREATE TEMP TABLE pwn AS SELECT 1 x",
	"PIVOT (SELECT 1 a) ON a; CREATE TEMP TABLE pwn AS SELECT 1 x",
	"PIVOT t ON b USING sum(a)",
	"CREATE TEMP TABLE pwn AS SELECT 1 x",
	"SET threads = 1",
	"CALL pragma_version()",
	"INSERT INTO t VALUES (1)",
	"COPY (SELECT 1) TO 'x.csv'",
	"ATTACH ':memory:' AS m",
	"SELECT 1; SELECT 2",
	"WITH x AS (SELECT 1) SELECT * FROM x; DELETE FROM t",
}

func guardDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: temp tables stay visible
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Exec("CREATE TABLE t (a INTEGER, b VARCHAR); INSERT INTO t VALUES (1, 'x'), (2, 'y')"); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestReadStatementRefusesHiddenStatements(t *testing.T) {
	t.Parallel()
	db := guardDB(t)
	ctx := context.Background()
	for _, q := range guardAttacks {
		stmt, err := ReadStatement(ctx, db, q)
		if !errors.Is(err, ErrNotReadOnly) && !errors.Is(err, ErrMultipleStatements) && !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: accepted as %q (err %v)", q, stmt, err)
		}
	}
	// The lexical check, too, now ends "--" comments at \r as DuckDB does.
	if err := CheckReadOnly(guardAttacks[0]); err == nil {
		t.Errorf("CheckReadOnly accepted %q", guardAttacks[0])
	}
}

func TestReadStatementAcceptsReads(t *testing.T) {
	t.Parallel()
	db := guardDB(t)
	ctx := context.Background()
	for q, want := range map[string]string{
		"SELECT 1":                             "SELECT 1",
		"  select * from t;":                   "  select * from t;",
		"WITH x AS (SELECT 1) SELECT * FROM x": "WITH x AS (SELECT 1) SELECT * FROM x",
		"FROM t":                               "FROM t",
		"-- c\r\nSELECT 'a;b' AS x":            "-- c\r\nSELECT 'a;b' AS x",
		"SELECT $$x;y$$":                       "SELECT $$x;y$$",
		"DESCRIBE t":                           "DESCRIBE t",
		"SHOW TABLES":                          "SHOW TABLES",
		"SUMMARIZE t":                          "SUMMARIZE t",
		"VALUES (1)":                           "VALUES (1)",
		"TABLE t":                              "TABLE t",
		"SELECT ?":                             "SELECT ?",
		"explain select 1":                     "EXPLAIN select 1",
		"EXPLAIN ANALYZE SELECT * FROM t":      "EXPLAIN ANALYZE SELECT * FROM t",
		"PIVOT t ON b IN ('x', 'y') USING sum(a)": "PIVOT t ON b IN ('x', 'y') USING sum(a)",
	} {
		got, err := ReadStatement(ctx, db, q)
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", q, got, err, want)
		}
	}
	for _, q := range []string{"", "  ;  ", "-- ping", "/* nothing */"} {
		if _, err := ReadStatement(ctx, db, q); !errors.Is(err, ErrEmptyStatement) {
			t.Errorf("%q: %v, want ErrEmptyStatement", q, err)
		}
	}
	if _, err := ReadStatement(ctx, db, "SELEC 1"); !errors.Is(err, ErrSyntax) {
		t.Errorf("SELEC 1: %v, want ErrSyntax", err)
	}
}

// catalogState is what a write would change on the fuzz connection.
const catalogState = `SELECT
  (SELECT count(*) FROM duckdb_tables()) || '/' || (SELECT count(*) FROM duckdb_views() WHERE NOT internal) || '/' ||
  (SELECT count(*) FROM duckdb_sequences()) || '/' || (SELECT count(*) FROM duckdb_functions() WHERE NOT internal) || '/' ||
  (SELECT count(*) FROM duckdb_databases()) || '/' || (SELECT sum(a) FROM t) || '/' || current_setting('threads') || '/' ||
  (SELECT count(*) FROM duckdb_secrets()) || '/' || (SELECT count(*) FROM duckdb_types() WHERE NOT internal)`

// FuzzReadStatement checks the guard against DuckDB itself: whatever
// ReadStatement accepts is one statement that DuckDB prepares as a SELECT
// or EXPLAIN, and running it changes nothing on a writable instance.
// Run: go test -tags duckdb_arrow -run '^$' -fuzz FuzzReadStatement ./access/
func FuzzReadStatement(f *testing.F) {
	for _, q := range guardAttacks {
		f.Add(q)
	}
	for _, q := range []string{"SELECT 1", "SELECT 'a;b'", "SELECT $t$;$t$", "-- x\nSELECT 1", "SELECT 1 /* */",
		"EXPLAIN SELECT 1", "PIVOT t ON b", "SELECT E'\\'' AS q", "DESCRIBE t", "SELECT 1 --\n", "/* /* */ */ SELECT 1"} {
		f.Add(q)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (a INTEGER, b VARCHAR); INSERT INTO t VALUES (1, 'x'), (2, 'y')"); err != nil {
		f.Fatal(err)
	}
	var before string
	if err := db.QueryRow(catalogState).Scan(&before); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > 4096 || strings.ContainsRune(q, 0) {
			return
		}
		// Short: a slow accepted read (a big range) is interrupted, not waited for.
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		stmt, err := ReadStatement(ctx, db, q)
		if err != nil {
			return
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var kind duckdb.StmtType
		perr := conn.Raw(func(dc any) error {
			p, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, stmt)
			if err != nil {
				return err
			}
			defer p.Close()
			kind, err = p.(*duckdb.Stmt).StatementType()
			return err
		})
		if perr == nil && kind != duckdb.STATEMENT_TYPE_SELECT && kind != duckdb.STATEMENT_TYPE_EXPLAIN {
			t.Fatalf("%q accepted as %q, which DuckDB prepares as statement type %d", q, stmt, kind)
		}
		if perr == nil {
			if rows, err := conn.QueryContext(ctx, stmt); err == nil {
				for i := 0; i < 100 && rows.Next(); i++ {
				}
				_ = rows.Close()
			}
		}
		var after string
		if err := conn.QueryRowContext(context.Background(), catalogState).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Fatalf("%q accepted as %q changed the database: %s -> %s", q, stmt, before, after)
		}
	})
}

func ExampleReadStatement() {
	db, _ := sql.Open("duckdb", "")
	defer db.Close()
	_, err := ReadStatement(context.Background(), db, "SELECT 1 --\r; DROP TABLE t")
	fmt.Println(errors.Is(err, ErrNotReadOnly))
	// Output: true
}
