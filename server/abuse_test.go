package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"attrib/config"
	"attrib/testkit"
)

// hiddenStatements are issue #12's guard bypasses: each hides a write
// behind a comment, string or quoting trick that the old splitter read
// differently from DuckDB.
var hiddenStatements = []string{
	"SELECT 1 --\r; CREATE OR REPLACE TEMP TABLE pwn AS SELECT 1 x; SELECT * FROM pwn",
	"SELECT E'\\''; CREATE OR REPLACE TEMP TABLE pwn AS SELECT 1 x; SELECT '",
	"SELECT $a$ x $a$; CREATE OR REPLACE TEMP TABLE pwn AS SELECT 1 x",
	"SELECT 1 /* /* */ ; CREATE OR REPLACE TEMP TABLE pwn AS SELECT 1 x; /* */",
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// TestGuardRefusesHiddenStatements: over HTTP and both PostgreSQL
// protocols a hidden statement is refused and never runs.
func TestGuardRefusesHiddenStatements(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	c := e.http(t)
	for _, q := range hiddenStatements {
		body, _ := json.Marshal(map[string]string{"sql": q})
		resp, b := c.do("POST", "/api/query", "", bytes.NewReader(body))
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("HTTP %q: %d %s", q, resp.StatusCode, b)
		}
	}
	ctx := context.Background()
	pc := e.pgxConn(t, testPassword)
	for _, q := range hiddenStatements {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeDescribeExec} {
			_, err := pc.Exec(ctx, q, mode)
			if code := pgCode(err); code != "25006" && code != "42601" {
				t.Errorf("postgres %v %q: %v, want SQLSTATE 25006 or 42601", mode, q, err)
			}
		}
	}
	// The session's own connection never saw the temp table.
	var n int
	err := pc.QueryRow(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pwn'").Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("pwn tables: %d, %v", n, err)
	}
}

// TestDescribeUnderStatementTimeout: describing a statement (Parse and
// Describe, where DuckDB plans) runs under the statement timeout too.
func TestDescribeUnderStatementTimeout(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) { c.Serve.StatementTimeout = config.Duration{Duration: time.Nanosecond} })
	pc := e.pgxConn(t, testPassword)
	_, err := pc.Prepare(context.Background(), "s1", "SELECT count(*) FROM channel_performance")
	if pgCode(err) != "57014" {
		t.Errorf("prepare: %v, want SQLSTATE 57014", err)
	}
}

// TestJSONResultByteCap: a JSON result past serve.max_result_bytes is
// refused with 413 (CSV streams it); one under the cap is complete.
func TestJSONResultByteCap(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) { c.Serve.MaxResultBytes = 10_000 })
	c := e.http(t)
	// 1000 rows of ["xxxx...100"] are over 100,000 bytes.
	big := `{"sql":"SELECT repeat('x', 100) AS s FROM range(1000)"}`
	resp, b := c.do("POST", "/api/query", "", strings.NewReader(big))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "max_result_bytes") {
		t.Errorf("big JSON: %d %s", resp.StatusCode, b)
	}
	resp, b = c.do("POST", "/api/query?format=csv", "", strings.NewReader(big))
	if resp.StatusCode != 200 || strings.Count(string(b), "\n") != 1001 {
		t.Errorf("big CSV: %d, %d lines", resp.StatusCode, strings.Count(string(b), "\n"))
	}
	// 10 rows: {"columns":[{"name":"s","type":"VARCHAR"}],"rows":[["x..."],...],"truncated":false}
	resp, b = c.do("POST", "/api/query", "", strings.NewReader(`{"sql":"SELECT repeat('x', 100) AS s FROM range(10)"}`))
	var res Result
	if err := json.Unmarshal(b, &res); resp.StatusCode != 200 || err != nil || len(res.Rows) != 10 || res.Truncated ||
		len(res.Columns) != 1 || res.Columns[0] != (Column{"s", "VARCHAR"}) || res.Rows[9][0] != strings.Repeat("x", 100) {
		t.Errorf("small JSON: %d %v %s", resp.StatusCode, err, b)
	}
}

// serveHTTP serves e's handler with the serve timeouts and limits on loopback.
func serveHTTP(t *testing.T, e *testEnv) string {
	t.Helper()
	ln := testkit.Listen(t)
	hs := e.srv.HTTPServer(e.srv.Handler())
	go func() { _ = hs.Serve(e.srv.HTTPListener(ln)) }()
	t.Cleanup(func() { _ = hs.Close() })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes c (EOF or reset) before
// the deadline, reading and dropping whatever it answers first.
func closedWithin(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestHTTPSlowClients: a POST that never sends its body and a client that
// never finishes its headers are closed by the read timeouts.
func TestHTTPSlowClients(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) {
		c.Serve.ReadHeaderTimeout = config.Duration{Duration: 200 * time.Millisecond}
		c.Serve.ReadTimeout = config.Duration{Duration: 300 * time.Millisecond}
		c.Serve.IdleTimeout = config.Duration{Duration: 300 * time.Millisecond}
	})
	addr := serveHTTP(t, e)
	for name, send := range map[string]string{
		"no body":       "POST /api/query HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\n",
		"half a header": "GET /api/tables HTTP/1.1\r\nHost: local",
		"nothing":       "",
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatal(err)
		}
		if !closedWithin(c, 10*time.Second) {
			t.Errorf("%s: connection still open after 10 s", name)
		}
		c.Close()
	}
}

// TestPostgresSilentSockets: a client that never starts up and a session
// that stays silent are closed.
func TestPostgresSilentSockets(t *testing.T) {
	// Not parallel: the startup timeout is 200 ms, and the real client's
	// login must finish within it.
	e := newTestEnv(t, func(c *config.Config) {
		c.Serve.StartupTimeout = config.Duration{Duration: 200 * time.Millisecond}
		c.Serve.IdleTimeout = config.Duration{Duration: 300 * time.Millisecond}
	})
	c, err := net.Dial("tcp", e.pg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !closedWithin(c, 10*time.Second) {
		t.Error("silent socket still open after 10 s")
	}
	pc := e.pgxConn(t, testPassword)
	if err := pc.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for sessions(e.srv) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling, bounded by the deadline
	}
	if n := sessions(e.srv); n != 0 {
		t.Errorf("%d idle sessions still open after 10 s", n)
	}
}

func sessions(s *Server) int {
	n := 0
	s.sessions.Range(func(_, _ any) bool { n++; return true })
	return n
}

func dialFrom(local string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	return d.DialContext
}

func pgxFrom(t *testing.T, e *testEnv, local string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig("postgres://analyst:" + testPassword + "@" + e.pg + "/attrib?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DialFunc = dialFrom(local)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		t.Cleanup(func() { c.Close(context.Background()) })
	}
	return c, err
}

// TestConnectionLimits: per client address and per server, with clear errors.
func TestConnectionLimits(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) {
		c.Serve.MaxConnections = 3
		c.Serve.MaxConnectionsPerClient = 2
	})
	for i := 0; i < 2; i++ {
		if _, err := pgxFrom(t, e, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := pgxFrom(t, e, "127.0.0.1")
	if pgCode(err) != "53300" || !strings.Contains(err.Error(), "max_connections_per_client") {
		t.Errorf("third from one address: %v", err)
	}
	if _, err := pgxFrom(t, e, "127.0.0.2"); err != nil {
		t.Fatalf("from another address: %v", err)
	}
	_, err = pgxFrom(t, e, "127.0.0.2")
	if pgCode(err) != "53300" || !strings.Contains(err.Error(), "serve.max_connections)") {
		t.Errorf("fourth: %v", err)
	}

	addr := serveHTTP(t, e)
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	// Both held connections are accepted before the third is judged.
	for _, c := range held {
		fmt.Fprintf(c, "GET /api/tables HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer tok-analyst\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("held connection: %v", err)
		}
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("third HTTP connection: %v %v", resp, err)
	}
}

// syncBuffer is a log sink for the tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLoginThrottle: failed logins are logged with user and address; past
// loginFreeFailures the address and user are locked out briefly, over
// HTTP and PostgreSQL.
func TestLoginThrottle(t *testing.T) {
	// Not parallel: the lock lasts 1 s, and a busy process could let it
	// expire between the last guess and the check.
	e := newTestEnv(t, nil)
	var logs syncBuffer
	e.srv.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	c := e.http(t)
	c.auth = func(r *http.Request) { r.SetBasicAuth("analyst", "guess") }
	for i := 0; i <= loginFreeFailures; i++ {
		if resp, _ := c.do("GET", "/api/tables", "", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, resp.StatusCode)
		}
	}
	// Locked now (for loginBaseLock): even the right password waits.
	c.auth = func(r *http.Request) { r.SetBasicAuth("analyst", testPassword) }
	resp, b := c.do("GET", "/api/tables", "", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after %d guesses: %d %s", loginFreeFailures+1, resp.StatusCode, b)
	}
	mustContain(t, logs.String(), "failed login", "protocol=http", "user=analyst", "address=127.0.0.1:", "locked_for=1s")

	_, err := pgx.Connect(context.Background(), "postgres://analyst:"+testPassword+"@"+e.pg+"/attrib?sslmode=disable")
	if err == nil || !strings.Contains(err.Error(), "too many failed logins") {
		t.Errorf("postgres while locked: %v", err)
	}
}

// TestLoginThrottleUnlocks: a lock lasts loginBaseLock doubled per further
// failure, never more than loginMaxLock, and a success clears it.
func TestLoginThrottleUnlocks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := newLoginThrottle()
	th.now = func() time.Time { return now }
	for i := 1; i <= loginFreeFailures; i++ {
		if d := th.fail("10.0.0.1", "ann"); d != 0 {
			t.Fatalf("failure %d locks for %v", i, d)
		}
	}
	// Failures 6, 7, 8: 1 s, 2 s, 4 s.
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if d := th.fail("10.0.0.1", "ann"); d != want {
			t.Errorf("failure %d: lock %v, want %v", loginFreeFailures+1+i, d, want)
		}
	}
	if d := th.check("10.0.0.9", "ann"); d != 4*time.Second {
		t.Errorf("user locked from another address for %v, want 4s", d)
	}
	now = now.Add(4 * time.Second)
	if d := th.check("10.0.0.1", "ann"); d != 0 {
		t.Errorf("still locked after the lock: %v", d)
	}
	for i := 0; i < 1000; i++ {
		th.fail("10.0.0.2", "bob")
	}
	if d := th.check("10.0.0.2", "bob"); d != loginMaxLock {
		t.Errorf("lock after 1000 failures: %v, want %v", d, loginMaxLock)
	}
	th.succeed("10.0.0.2", "bob")
	if d := th.check("10.0.0.2", "bob"); d != 0 {
		t.Errorf("locked after a success: %v", d)
	}
}

// TestAnonymousHostAndFraming: with anonymous access only this server's
// own host names are served (DNS rebinding); no page may be framed.
func TestAnonymousHostAndFraming(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) { c.Serve.Anonymous = true })
	c := e.http(t)
	c.auth = func(r *http.Request) { r.Host = "rebind.evil.example:8080" }
	if resp, b := c.do("GET", "/api/tables", "", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign Host: %d %s", resp.StatusCode, b)
	}
	c.auth = func(r *http.Request) { r.Host = "localhost:8080" }
	resp, b := c.do("GET", "/", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("localhost: %d %s", resp.StatusCode, b)
	}
	if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("headers: %v", resp.Header)
	}
}

// TestEmptyQuery: empty and comment-only statements get EmptyQueryResponse
// (pgx's Ping sends "-- ping").
func TestEmptyQuery(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	pc := e.pgxConn(t, testPassword)
	ctx := context.Background()
	if err := pc.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	for _, q := range []string{";", "/* nothing */", "-- x\r\n;"} {
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeDescribeExec} {
			if _, err := pc.Exec(ctx, q, mode); err != nil {
				t.Errorf("%v %q: %v", mode, q, err)
			}
		}
	}
}

// TestShutdownInterruptsStatements: stopping the PostgreSQL endpoint
// interrupts a running statement instead of waiting for it.
func TestShutdownInterruptsStatements(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) { c.Serve.StatementTimeout = config.Duration{Duration: time.Hour} })
	ln := testkit.Listen(t)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.ServePostgresListener(ctx, ln) }()
	pc, err := pgx.Connect(context.Background(), "postgres://analyst:"+testPassword+"@"+ln.Addr().String()+"/attrib?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	qerr := make(chan error, 1)
	go func() {
		var n int64
		qerr <- pc.QueryRow(context.Background(), "SELECT count(*) FROM range(1000000000000) t(a) WHERE a % 7 = 3").Scan(&n)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !running(e.srv) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling, bounded by the deadline
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServePostgresListener: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("endpoint still serving 20 s after stop, with a statement running")
	}
	if err := <-qerr; err == nil {
		t.Error("statement finished")
	}
}

func running(s *Server) bool {
	r := false
	s.sessions.Range(func(_, v any) bool {
		ps := v.(*pgSession)
		ps.mu.Lock()
		r = r || ps.cancel != nil
		ps.mu.Unlock()
		return true
	})
	return r
}

// TestOversizedMessage: a message over maxPGMessage gets a FATAL error and
// the session ends.
func TestOversizedMessage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	pc := e.pgxConn(t, testPassword)
	q := "SELECT '" + strings.Repeat("x", maxPGMessage) + "'"
	_, err := pc.Exec(context.Background(), q, pgx.QueryExecModeSimpleProtocol)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Severity != "FATAL" || pe.Code != "54000" {
		t.Fatalf("oversized message: %v, want FATAL 54000", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for sessions(e.srv) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling, bounded by the deadline
	}
	if n := sessions(e.srv); n != 0 || !pc.IsClosed() {
		t.Errorf("after an oversized message: %d sessions open, client closed %v", n, pc.IsClosed())
	}
}
