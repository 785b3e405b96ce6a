package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

// hugeConstant folds, while DuckDB plans it, into one string of 1.5 GB:
// before statement workers it took serve itself to several GB for minutes,
// past memory_limit, the statement timeout and cancel requests.
const hugeConstant = "SELECT length(repeat('x', 1500000000)) AS n"

// slowConstant folds into 300 MB for about 20 s on this machine kind.
const slowConstant = "SELECT length(repeat('x', 300000000)) AS n"

// TestStatementMemoryCap: a statement whose process grows past
// serve.max_statement_memory is stopped with a clear error over HTTP (422)
// and PostgreSQL (53200); serve's own memory stays where it was and the
// next statement runs.
func TestStatementMemoryCap(t *testing.T) {
	// Not parallel: it measures this process's resident memory, which
	// other tests running at the same time would change.
	e := newTestEnv(t, func(c *config.Config) { c.Serve.MaxStatementMemory = 256 << 20 })
	before := warehouse.ResidentBytes(os.Getpid())
	c := e.http(t)
	resp, b := c.do("POST", "/api/query", "", strings.NewReader(`{"sql":"`+hugeConstant+`"}`))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "max_statement_memory") {
		t.Errorf("HTTP: %d %s", resp.StatusCode, b)
	}
	pc := e.pgxConn(t, testPassword)
	var n int64
	err := pc.QueryRow(context.Background(), hugeConstant).Scan(&n)
	if pgCode(err) != "53200" || !strings.Contains(err.Error(), "max_statement_memory") {
		t.Errorf("PostgreSQL: %v, want SQLSTATE 53200", err)
	}
	if grew := warehouse.ResidentBytes(os.Getpid()) - before; grew > 200<<20 {
		t.Errorf("serve grew by %d MiB while a statement needed 1.5 GB", grew>>20)
	}
	if err := pc.QueryRow(context.Background(), "SELECT count(*) FROM channel_performance").Scan(&n); err != nil || n == 0 {
		t.Errorf("next statement on the same session: %d %v", n, err)
	}
	resp, b = c.do("POST", "/api/query", "", strings.NewReader(`{"sql":"SELECT 41 + 1 AS x"}`))
	if resp.StatusCode != 200 || !strings.Contains(string(b), `[[42]]`) {
		t.Errorf("next HTTP statement: %d %s", resp.StatusCode, b)
	}
}

// TestStatementTimeoutStopsPlanning: the statement timeout holds while
// DuckDB plans, over both protocols, well before the plan would be done.
func TestStatementTimeoutStopsPlanning(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) {
		c.Serve.StatementTimeout = config.Duration{Duration: time.Second}
		c.Serve.MaxStatementMemory = 8 << 30
	})
	c := e.http(t)
	start := time.Now()
	resp, b := c.do("POST", "/api/query", "", strings.NewReader(`{"sql":"`+slowConstant+`"}`))
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("HTTP: %d %s, want 504", resp.StatusCode, b)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("HTTP answered after %s, the statement timeout is 1 s", took)
	}
	pc := e.pgxConn(t, testPassword)
	start = time.Now()
	_, err := pc.Prepare(context.Background(), "slow", slowConstant)
	if pgCode(err) != "57014" {
		t.Errorf("PostgreSQL prepare: %v, want SQLSTATE 57014", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("PostgreSQL answered after %s, the statement timeout is 1 s", took)
	}
}

// TestCancelRequestStopsPlanning: a CancelRequest stops a statement that
// is still being planned.
func TestCancelRequestStopsPlanning(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) {
		c.Serve.StatementTimeout = config.Duration{Duration: time.Hour}
		c.Serve.MaxStatementMemory = 8 << 30
	})
	pc := e.pgxConn(t, testPassword)
	qerr := make(chan error, 1)
	go func() {
		var n int64
		qerr <- pc.QueryRow(context.Background(), slowConstant).Scan(&n)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !running(e.srv) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling, bounded by the deadline
	}
	start := time.Now()
	if err := pc.PgConn().CancelRequest(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-qerr:
		if pgCode(err) != "57014" {
			t.Errorf("cancelled statement: %v, want SQLSTATE 57014", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("statement still running 15 s after its cancel request")
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("cancel took %s", took)
	}
}

// TestWorkerErrorsKeepIdentity: errors made in a worker reach the client
// with the same SQLSTATE and HTTP status as before, and a worker that
// answered an error serves the next statement.
func TestWorkerErrorsKeepIdentity(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	c := e.http(t)
	for _, tc := range []struct {
		sql    string
		status int
	}{
		{"CREATE TABLE x AS SELECT 1", http.StatusForbidden},
		{"SELEC 1", http.StatusBadRequest},
		{"SELECT * FROM no_such_table", http.StatusBadRequest},
		{"SELECT 1; SELECT 2", http.StatusForbidden},
	} {
		body, _ := json.Marshal(map[string]string{"sql": tc.sql})
		resp, b := c.do("POST", "/api/query", "", bytes.NewReader(body))
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.sql, resp.StatusCode, b, tc.status)
		}
	}
	pc := e.pgxConn(t, testPassword)
	for sql, code := range map[string]string{
		"CREATE TABLE x AS SELECT 1":  "25006",
		"SELECT * FROM no_such_table": "42P01",
		"SELECT 1/0::INTEGER + 'a'":   "22P02",
	} {
		_, err := pc.Exec(context.Background(), sql)
		if pgCode(err) != code {
			t.Errorf("%s: %v, want SQLSTATE %s", sql, err, code)
		}
	}
	var s string
	if err := pc.QueryRow(context.Background(), "SELECT 'still ' || 'here'").Scan(&s); err != nil || s != "still here" {
		t.Errorf("after errors: %q %v", s, err)
	}
}
