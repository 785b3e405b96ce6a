package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

type httpClient struct {
	t    *testing.T
	base string
	auth func(*http.Request)
}

func (c httpClient) do(method, path, accept string, body io.Reader) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.auth != nil {
		c.auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

func (e *testEnv) http(t *testing.T) httpClient {
	ts := httptest.NewServer(e.srv.Handler())
	t.Cleanup(ts.Close)
	return httpClient{t: t, base: ts.URL, auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok-analyst") }}
}

func TestHTTPAuth(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	c := e.http(t)
	for name, auth := range map[string]func(*http.Request){
		"none":       nil,
		"bad token":  func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") },
		"bad basic":  func(r *http.Request) { r.SetBasicAuth("analyst", "wrong") },
		"other user": func(r *http.Request) { r.SetBasicAuth("nobody", testPassword) },
	} {
		c.auth = auth
		resp, _ := c.do("GET", "/api/tables", "", nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, resp.StatusCode)
		}
	}
	c.auth = func(r *http.Request) { r.SetBasicAuth("analyst", testPassword) }
	if resp, b := c.do("GET", "/api/tables", "", nil); resp.StatusCode != 200 {
		t.Errorf("basic auth: %d %s", resp.StatusCode, b)
	}
	// A page of another site posting with the browser's credentials.
	c.auth = func(r *http.Request) {
		r.SetBasicAuth("analyst", testPassword)
		r.Header.Set("Origin", "http://evil.example")
	}
	if resp, _ := c.do("POST", "/api/query", "", strings.NewReader(`{"sql":"SELECT 1"}`)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d", resp.StatusCode)
	}
	c.auth = nil
	if resp, _ := c.do("GET", "/", "", nil); resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("dashboard without credentials: %d", resp.StatusCode)
	}
}

func TestHTTPTablesAndRows(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	c := e.http(t)
	resp, b := c.do("GET", "/api/tables", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var tables []TableInfo
	if err := json.Unmarshal(b, &tables); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tb := range tables {
		if tb.Name == "channel_performance" {
			found = true
			if len(tb.Columns) != 15 || tb.Columns[0].Name != "date" || tb.Columns[7].Type != "DECIMAL(18,4)" {
				t.Errorf("columns %+v", tb.Columns)
			}
		}
	}
	if !found {
		t.Fatalf("channel_performance not listed: %s", b)
	}

	q := url.Values{}
	q.Add("filter", "channel:eq:Email")
	q.Add("filter", "date:gte:2025-01-05")
	q.Add("filter", "model:in:markov|last_touch")
	q.Set("order", "-revenue,campaign")
	q.Set("columns", "channel,date,revenue")
	q.Set("limit", "3")
	resp, b = c.do("GET", "/api/tables/channel_performance/rows?"+q.Encode(), "application/json", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	var want []string
	rows, err := e.w.DB().QueryContext(context.Background(), `SELECT revenue::VARCHAR FROM channel_performance
		WHERE channel = 'Email' AND date >= DATE '2025-01-05' ORDER BY revenue DESC, campaign LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		want = append(want, s)
	}
	rows.Close()
	if len(res.Rows) != 3 || len(res.Columns) != 3 || res.Columns[2].Name != "revenue" {
		t.Fatalf("result %s", b)
	}
	for i, r := range res.Rows {
		if r[0] != "Email" || strings.TrimRight(strings.TrimRight(want[i], "0"), ".") != strings.TrimRight(strings.TrimRight(toString(r[2]), "0"), ".") {
			t.Errorf("row %d = %v, want revenue %s", i, r, want[i])
		}
	}
	// Bad names are refused, not interpolated.
	for _, bad := range []string{"filter=nope:eq:1", "order=" + url.QueryEscape("revenue;DROP TABLE x"), "columns=x%22y", "filter=channel:zz:1"} {
		resp, b := c.do("GET", "/api/tables/channel_performance/rows?"+bad, "", nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, b)
		}
	}
	if resp, _ := c.do("GET", "/api/tables/no_such_table/rows", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing table: %d", resp.StatusCode)
	}
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

func TestHTTPQueryFormats(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	c := e.http(t)
	body := `{"sql": "SELECT channel, count(*) AS n, sum(spend) AS spend FROM channel_performance WHERE model = ? GROUP BY channel ORDER BY channel", "params": ["markov"]}`

	resp, b := c.do("POST", "/api/query", "application/json", strings.NewReader(body))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("json: %d %s", resp.StatusCode, b)
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || res.Rows[0][0] != "Branch" || res.Rows[0][1] != float64(10) {
		t.Fatalf("json rows %s", b)
	}

	resp, b = c.do("POST", "/api/query", "text/csv", strings.NewReader(body))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, b)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != "channel,n,spend" || recs[1][0] != "Branch" || recs[1][1] != "10" {
		t.Fatalf("csv %q", recs)
	}

	resp, b = c.do("POST", "/api/query", "application/vnd.apache.arrow.stream", strings.NewReader(body))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.apache.arrow.stream" {
		t.Fatalf("arrow: %d %s", resp.StatusCode, b)
	}
	rd, err := ipc.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	var n int64
	var first string
	for rd.Next() {
		rec := rd.RecordBatch()
		if n == 0 {
			first = rec.Column(0).(*array.String).Value(0)
		}
		n += rec.NumRows()
	}
	if n != 3 || first != "Branch" || rd.Schema().Field(2).Name != "spend" {
		t.Fatalf("arrow: %d rows, first %q, schema %s", n, first, rd.Schema())
	}

	// GET with ?sql= and ?format=csv (links cannot set Accept).
	resp, b = c.do("GET", "/api/query?format=csv&sql="+url.QueryEscape("SELECT 1 AS one"), "", nil)
	if resp.StatusCode != 200 || string(b) != "one\n1\n" {
		t.Fatalf("GET csv: %d %q", resp.StatusCode, b)
	}

	// The same read-only rules as the PostgreSQL endpoint.
	for _, q := range []string{"DROP TABLE channel_performance", "COPY channel_performance TO '/tmp/x.csv'", "SELECT * FROM read_csv('/etc/passwd')", "ATTACH '/tmp/x.db'", "SELECT 1; SELECT 2"} {
		resp, b := c.do("GET", "/api/query?sql="+url.QueryEscape(q), "", nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "error") {
			t.Errorf("%s: %d %s", q, resp.StatusCode, b)
		}
	}
}

// TestDashboardPanels: panels answer from the snapshot, and tables the
// pipeline has not built yet give an empty state instead of an error.
func TestDashboardPanels(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	c := e.http(t)
	for name, missing := range map[string]bool{"kpis": false, "channels": false, "roas_matrix": false, "runs": false, "filters": false,
		"funnel": true, "cohorts": true, "churn": true, "budget": true, "model_comparison": true} {
		resp, b := c.do("GET", "/api/dashboard/"+name+"?model=markov", "", nil)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, b)
			continue
		}
		var pr PanelResult
		if err := json.Unmarshal(b, &pr); err != nil {
			t.Fatal(err)
		}
		if pr.Missing != missing {
			t.Errorf("%s: missing = %v, want %v (%s)", name, pr.Missing, missing, b)
		}
	}
	resp, b := c.do("GET", "/api/dashboard/kpis?model=markov&type=account_opened&channel=Email&from=2025-01-03&to=2025-01-06", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	var pr PanelResult
	json.Unmarshal(b, &pr)
	var want string
	e.w.DB().QueryRow(`SELECT sum(revenue)::VARCHAR FROM channel_performance WHERE model='markov' AND channel='Email' AND date BETWEEN DATE '2025-01-03' AND DATE '2025-01-06'`).Scan(&want)
	if len(pr.Rows) != 1 || toString(pr.Rows[0][2]) != strings.TrimSuffix(want, ".00") {
		t.Errorf("kpi revenue %v, want %s", pr.Rows, want)
	}
	resp, b = c.do("GET", "/api/dashboard/channels?model=markov&format=csv", "", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "channel,channel_group,spend") {
		t.Errorf("panel csv: %d %s", resp.StatusCode, b)
	}
	if resp, _ := c.do("GET", "/api/dashboard/funnel?format=csv", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("csv of a missing table: %d", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "/api/dashboard/kpis?from=yesterday", "", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date: %d", resp.StatusCode)
	}
}

// TestSnapshotRefresh: a finished run is what people read after a refresh:
// the next statement of a session already open reads it, like a new
// session's (a BEGIN block keeps one run: snapshot_patch_test.go).
func TestSnapshotRefresh(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, nil)
	ctx := context.Background()
	c := e.pgxConn(t, testPassword)
	db := e.w.DB()
	if _, err := db.ExecContext(ctx, `CREATE TABLE extra AS SELECT 1 AS x`); err != nil {
		t.Fatal(err)
	}
	// Not visible until a run finishes and the snapshot is refreshed.
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "SELECT * FROM extra"); err == nil {
		t.Fatal("table of an unfinished run is visible")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO pipeline_runs (run_id, job, trigger, started_at, finished_at, status) VALUES ('r1', 'daily', 'manual', now(), now(), 'succeeded')`); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "SELECT * FROM extra"); err != nil {
		t.Fatalf("open session after the run: %v", err)
	}
	c2 := e.pgxConn(t, testPassword)
	var x int32
	if err := c2.QueryRow(ctx, "SELECT x FROM extra").Scan(&x); err != nil || x != 1 {
		t.Fatalf("new session: %v", err)
	}
	c3 := e.http(t)
	if resp, b := c3.do("GET", "/api/query?sql=SELECT+x+FROM+extra", "", nil); resp.StatusCode != 200 || !strings.Contains(string(b), `"rows":[[1]]`) {
		t.Fatalf("http after refresh: %d %s", resp.StatusCode, b)
	}
}
