package server

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgtype"

	"attrib/config"
)

func (e *testEnv) pgxConn(t *testing.T, password string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, "postgres://analyst:"+password+"@"+e.pg+"/attrib?sslmode=disable")
	if err != nil {
		t.Fatalf("pgx connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// TestPsqlSimpleProtocol drives the real psql client: simple protocol,
// the text form of every type, and the \dt, \d and \l meta-commands.
func TestPsqlSimpleProtocol(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	out, err := e.psql(t, "analyst", testPassword, "-A", "-F", "|", "-c", "SELECT * FROM type_zoo")
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("want header, one row, footer:\n%s", out)
	}
	want := strings.Join([]string{"1", "2", "3", "4", "12345678901234567890", "1.5", "2.25", "12.50", "t", "héllo, 世界",
		"2025-03-04", "12:34:56.5", "2025-03-04 05:06:07.123", "2025-03-04 05:06:07+00",
		"1 year 2 mons 3 days 04:05:06.5", "{1,2,NULL}", `{"a b",c,NULL}`, `{"x":1,"y":"z"}`, `{"k":[1,2]}`,
		`\xdead`, "3f0a6a40-7e3e-4c4c-9d1e-1a2b3c4d5e6f", ""}, "|")
	if lines[1] != want {
		t.Errorf("row:\n got %s\nwant %s", lines[1], want)
	}
	if lines[2] != "(1 row)" {
		t.Errorf("footer %q", lines[2])
	}

	out, err = e.psql(t, "analyst", testPassword, "-c", `\dt`)
	if err != nil {
		t.Fatalf(`\dt: %v\n%s`, err, out)
	}
	mustContain(t, out, "List of relations", "type_zoo ", "pipeline_runs")
	// psql pads the names to the longest one listed (bookkeeping tables included).
	if !regexp.MustCompile(`(?m)^\s*main\s*\|\s*channel_performance\s*\|\s*table\s*\|\s*attrib\s*$`).MatchString(out) {
		t.Errorf(`\dt does not list main.channel_performance as a table of attrib:\n%s`, out)
	}

	out, err = e.psql(t, "analyst", testPassword, "-c", `\d channel_performance`)
	if err != nil {
		t.Fatalf(`\d: %v\n%s`, err, out)
	}
	mustContain(t, out, `Table "main.channel_performance"`, "conversions     | numeric(18,4)", "date            | date", "roas            | float8")

	out, err = e.psql(t, "analyst", testPassword, "-c", `\l`)
	if err != nil {
		t.Fatalf(`\l: %v\n%s`, err, out)
	}
	mustContain(t, out, "List of databases", " attrib | attrib | UTF8")

	// Several statements in one simple query, and a SET a driver sends.
	out, err = e.psql(t, "analyst", testPassword, "-A", "-t", "-c", "SET application_name = 'x'; SELECT 41 + 1; SELECT 'two'")
	if err != nil {
		t.Fatalf("multi: %v\n%s", err, out)
	}
	if out != "SET\n42\ntwo\n" {
		t.Errorf("multi-statement output %q", out)
	}
	// What JDBC's setReadOnly(true) and setTransactionIsolation send.
	out, err = e.psql(t, "analyst", testPassword, "-c", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "-c", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
	if err != nil {
		t.Errorf("driver SETs refused: %v\n%s", err, out)
	}
}

// TestPsqlWrongPassword: a wrong password and an unknown user are refused.
func TestPsqlWrongPassword(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	for _, c := range []struct{ user, pw string }{{"analyst", "wrong"}, {"nobody", testPassword}, {"analyst", ""}} {
		out, err := e.psql(t, c.user, c.pw, "-w", "-c", "SELECT 1")
		if err == nil {
			t.Errorf("%s/%q: connected:\n%s", c.user, c.pw, out)
			continue
		}
		if !strings.Contains(out, "password authentication failed") && !strings.Contains(out, "no password supplied") {
			t.Errorf("%s/%q: unexpected refusal: %s", c.user, c.pw, out)
		}
	}
	if _, err := pgx.Connect(context.Background(), "postgres://analyst:nope@"+e.pg+"/attrib?sslmode=disable"); err == nil {
		t.Error("pgx connected with a wrong password")
	} else {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28P01" {
			t.Errorf("pgx wrong password: %v, want SQLSTATE 28P01", err)
		}
	}
}

// TestAnonymousLocalhost: anonymous access works only when configured.
func TestAnonymousLocalhost(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) { c.Serve.Anonymous = true })
	out, err := e.psql(t, "guest", "", "-w", "-A", "-t", "-c", "SELECT count(*) FROM channel_performance")
	if err != nil || strings.TrimSpace(out) != "60" {
		t.Fatalf("anonymous on loopback: %v %s", err, out)
	}
	// A configured user still needs the password.
	if out, err := e.psql(t, "analyst", "wrong", "-w", "-c", "SELECT 1"); err == nil {
		t.Fatalf("configured user without password got in: %s", out)
	}
}

// TestForbiddenStatements: every class of statement that could write,
// read server files, load code or change settings is refused with a
// clear error, through the wire; the pipeline's own connections can still
// read files afterwards (external access is off only for people).
func TestForbiddenStatements(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	ctx := context.Background()
	c := e.pgxConn(t, testPassword)
	secret := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(secret, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ sql, want string }{
		{"SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"},
		{"SELECT * FROM read_text('/etc/hostname')", "file system operations are disabled"},
		{"SELECT * FROM '" + secret + "'", "disabled"},
		{"SELECT * FROM read_parquet('" + secret + "')", "disabled"},
		{"FROM glob('/etc/*')", "disabled"},
		{"COPY channel_performance TO '/tmp/x.csv'", "read-only"},
		{"COPY (SELECT 1) TO STDOUT", "read-only"},
		{"ATTACH '/tmp/other.duckdb' AS other", "read-only"},
		{"DETACH attrib", "read-only"},
		{"INSTALL httpfs", "read-only"},
		{"LOAD httpfs", "read-only"},
		{"CREATE TABLE x (a INT)", "read-only"},
		{"CREATE TEMP TABLE x AS SELECT 1", "read-only"},
		{"CREATE MACRO m(x) AS x", "read-only"},
		{"INSERT INTO channel_performance (channel) VALUES ('x')", "read-only"},
		{"UPDATE channel_performance SET channel = 'x'", "read-only"},
		{"DELETE FROM channel_performance", "read-only"},
		{"DROP TABLE channel_performance", "read-only"},
		{"ALTER TABLE channel_performance ADD COLUMN z INT", "read-only"},
		{"TRUNCATE channel_performance", "read-only"},
		{"SET enable_external_access = true", "not allowed"},
		{"SET threads = 1", "not allowed"},
		{"RESET lock_configuration", "not allowed"},
		{"PRAGMA enable_profiling", "read-only"},
		{"CALL pragma_version()", "read-only"},
		{"CHECKPOINT", "read-only"},
		{"EXPORT DATABASE '/tmp/exp'", "read-only"},
		{"EXPLAIN ANALYZE COPY channel_performance TO '/tmp/y.csv'", "read-only"},
		{"SELECT 1; DROP TABLE channel_performance", "read-only"},
		{"VACUUM", "read-only"},
	}
	for _, tc := range cases {
		_, err := c.Exec(ctx, tc.sql)
		if err == nil {
			t.Errorf("%s: succeeded", tc.sql)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q lacks %q", tc.sql, err, tc.want)
		}
	}
	// Even a statement that passes the checks cannot touch files: the
	// session's DuckDB instance has external access off.
	var setting string
	if err := c.QueryRow(ctx, "SELECT current_setting('enable_external_access')::VARCHAR").Scan(&setting); err != nil || setting != "false" {
		t.Errorf("people's instance enable_external_access = %q (%v), want false", setting, err)
	}
	if err := c.QueryRow(ctx, "SELECT current_setting('lock_configuration')::VARCHAR").Scan(&setting); err != nil || setting != "true" {
		t.Errorf("people's instance lock_configuration = %q (%v), want true", setting, err)
	}
	// The session is still usable after the refusals.
	var n int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM channel_performance").Scan(&n); err != nil || n != 60 {
		t.Fatalf("after refusals: %d %v", n, err)
	}
	// The pipeline's instance still reads files.
	var a int
	if err := e.w.DB().QueryRowContext(ctx, "SELECT a FROM read_csv(?)", secret).Scan(&a); err != nil || a != 1 {
		t.Fatalf("pipeline connection can no longer read files: %v", err)
	}
	// The warehouse is unchanged.
	if err := e.w.DB().QueryRowContext(ctx, "SELECT count(*) FROM channel_performance").Scan(&n); err != nil || n != 60 {
		t.Fatalf("warehouse changed: %d %v", n, err)
	}
}

// TestPgxExtendedProtocol: parameters, prepared statements and binary
// decoding of every type through pgx.
func TestPgxExtendedProtocol(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	ctx := context.Background()
	c := e.pgxConn(t, testPassword)

	rows, err := c.Query(ctx, "SELECT channel, sum(revenue) AS revenue, count(*) AS n FROM channel_performance WHERE model = $1 AND date >= $2 GROUP BY channel ORDER BY channel", "markov", time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	type agg struct {
		channel string
		revenue pgtype.Numeric
		n       int64
	}
	var got []agg
	for rows.Next() {
		var a agg
		if err := rows.Scan(&a.channel, &a.revenue, &a.n); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Compare with the warehouse itself.
	want, err := e.w.DB().QueryContext(ctx, "SELECT channel, sum(revenue)::VARCHAR, count(*) FROM channel_performance WHERE model = 'markov' AND date >= DATE '2025-01-05' GROUP BY channel ORDER BY channel")
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for want.Next() {
		var ch, rev string
		var n int64
		if err := want.Scan(&ch, &rev, &n); err != nil {
			t.Fatal(err)
		}
		if i >= len(got) {
			t.Fatalf("missing row %s", ch)
		}
		gv, _ := got[i].revenue.Value()
		if got[i].channel != ch || gv != rev || got[i].n != n {
			t.Errorf("row %d: got %s %v %d, want %s %s %d", i, got[i].channel, gv, got[i].n, ch, rev, n)
		}
		i++
	}
	want.Close()
	if i != len(got) || i == 0 {
		t.Fatalf("got %d rows, want %d", len(got), i)
	}

	// A named prepared statement, executed twice with different arguments.
	if _, err := c.Prepare(ctx, "by_channel", "SELECT count(*) FROM channel_performance WHERE channel = $1"); err != nil {
		t.Fatal(err)
	}
	for ch, wantN := range map[string]int64{"Email": 20, "Branch": 20, "nope": 0} {
		var n int64
		if err := c.QueryRow(ctx, "by_channel", ch).Scan(&n); err != nil || n != wantN {
			t.Errorf("by_channel(%s) = %d, %v; want %d", ch, n, err, wantN)
		}
	}

	// Binary decoding of the type zoo.
	var (
		ti, si      int16
		i4          int32
		i8          int64
		hi, dec     pgtype.Numeric
		f4          float32
		f8          float64
		b           bool
		s           string
		d, ts, tstz time.Time
		tm          pgtype.Time
		iv          pgtype.Interval
		li          []*int32
		ls          []*string
		st, js      map[string]any
		bl          []byte
		u           [16]byte
		n           *int32
	)
	err = c.QueryRow(ctx, "SELECT * FROM type_zoo").Scan(&ti, &si, &i4, &i8, &hi, &f4, &f8, &dec, &b, &s, &d, &tm, &ts, &tstz, &iv, &li, &ls, &st, &js, &bl, &u, &n)
	if err != nil {
		t.Fatal(err)
	}
	hiBig, _ := new(big.Int).SetString("12345678901234567890", 10)
	hi.Int = new(big.Int).Mul(hi.Int, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(hi.Exp)), nil))
	decV, _ := dec.Value()
	switch {
	case ti != 1 || si != 2 || i4 != 3 || i8 != 4 || hi.Int.Cmp(hiBig) != 0 || f4 != 1.5 || f8 != 2.25 || decV != "12.50" || !b:
		t.Errorf("numbers: %v %v %v %v %v %v %v %v %v", ti, si, i4, i8, hi.Int, f4, f8, decV, b)
	case s != "héllo, 世界":
		t.Errorf("text %q", s)
	case !d.Equal(time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)) || !ts.Equal(time.Date(2025, 3, 4, 5, 6, 7, 123e6, time.UTC)) || !tstz.Equal(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)):
		t.Errorf("times %v %v %v", d, ts, tstz)
	case tm.Microseconds != (12*3600+34*60+56)*1e6+5e5:
		t.Errorf("time %v", tm)
	case iv.Months != 14 || iv.Days != 3 || iv.Microseconds != (4*3600+5*60+6)*1e6+5e5:
		t.Errorf("interval %+v", iv)
	case len(li) != 3 || *li[0] != 1 || *li[1] != 2 || li[2] != nil || len(ls) != 3 || *ls[0] != "a b" || ls[2] != nil:
		t.Errorf("lists %v %v", li, ls)
	case st["x"] != float64(1) || st["y"] != "z" || js["k"] == nil:
		t.Errorf("struct/json %v %v", st, js)
	case string(bl) != "\xde\xad" || u[0] != 0x3f || u[15] != 0x6f || n != nil:
		t.Errorf("blob/uuid/null %x %x %v", bl, u, n)
	}

	// A SQL error leaves the connection usable.
	if _, err := c.Exec(ctx, "SELECT no_such_column FROM channel_performance"); err == nil {
		t.Fatal("bad column accepted")
	} else if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "42703" {
		t.Errorf("bad column: %v, want SQLSTATE 42703", err)
	}
	var one int32
	if err := c.QueryRow(ctx, "SELECT $1::INTEGER + 1", 41).Scan(&one); err != nil || one != 42 {
		t.Fatalf("after error: %d %v", one, err)
	}
	// Transactions are accepted (the snapshot never changes under a session).
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, "SELECT 7").Scan(&one); err != nil || one != 7 {
		t.Fatalf("in transaction: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCancelAndTimeout: a cancel request stops a long statement, the
// statement timeout stops another, and the row cap is enforced.
func TestCancelAndTimeout(t *testing.T) {
	// Not parallel: the cancel is sent 200 ms after the statement and must
	// find it running, before the 1.5 s statement timeout.
	e := newTestEnv(t, func(c *config.Config) {
		c.Serve.StatementTimeout = config.Duration{Duration: 1500 * time.Millisecond}
		c.Serve.MaxRows = 1000
	})
	// pgx sends a CancelRequest when the context is cancelled (and only
	// closes the connection if the server has not answered 5 s later).
	pcfg, err := pgx.ParseConfig("postgres://analyst:" + testPassword + "@" + e.pg + "/attrib?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	pcfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 5 * time.Second}
	}
	c, err := pgx.ConnectConfig(context.Background(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	long := "SELECT count(*) FROM range(100000000000) t(a) WHERE a % 7 = 3"

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		var n int64
		errc <- c.QueryRow(ctx, long).Scan(&n)
	}()
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err = <-errc
	if err == nil {
		t.Fatal("long statement finished")
	}
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "57014" || !strings.Contains(pe.Message, "user request") {
		t.Errorf("cancelled statement: %v, want SQLSTATE 57014 (user request)", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("cancel took %v", took)
	}
	// Had the server ignored the CancelRequest, pgx would have had to close
	// the connection; it is still usable, so the statement was interrupted.
	var one int32
	if err := c.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("connection after cancel: %v", err)
	}

	c2 := e.pgxConn(t, testPassword)
	var n int64
	err = c2.QueryRow(context.Background(), long).Scan(&n)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" || !strings.Contains(pe.Message, "timeout") {
		t.Errorf("statement timeout: %v, want SQLSTATE 57014", err)
	}

	rows, err := c2.Query(context.Background(), "SELECT * FROM range(5000)")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
	}
	if !errors.As(err, &pe) || pe.Code != "54000" || !strings.Contains(pe.Message, "max_rows") {
		t.Errorf("row cap: %v, want SQLSTATE 54000", err)
	}
	if err := c2.QueryRow(context.Background(), "SELECT count(*) FROM range(5000)").Scan(&n); err != nil || n != 5000 {
		t.Errorf("after row cap: %d %v", n, err)
	}
}
