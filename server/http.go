package server

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/duckdb/duckdb-go/v2"

	"attrib/access"
	"attrib/warehouse"
)

// Media types of the HTTP API results.
const (
	mimeJSON  = "application/json"
	mimeCSV   = "text/csv"
	mimeArrow = "application/vnd.apache.arrow.stream"
)

// Register mounts the dashboard (/) and the HTTP API (/api/...) on mux.
// Every route needs a user's token (Authorization: Bearer) or password
// (HTTP Basic), unless serve.anonymous is set and the client is local.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.auth(http.HandlerFunc(s.handleIndex)))
	mux.Handle("GET /assets/", s.auth(http.HandlerFunc(s.handleAsset)))
	mux.Handle("GET /api/tables", s.auth(http.HandlerFunc(s.handleTables)))
	mux.Handle("GET /api/tables/{name}", s.auth(http.HandlerFunc(s.handleTable)))
	mux.Handle("GET /api/tables/{name}/rows", s.auth(http.HandlerFunc(s.handleRows)))
	mux.Handle("GET /api/query", s.auth(http.HandlerFunc(s.handleQuery)))
	mux.Handle("POST /api/query", s.auth(http.HandlerFunc(s.handleQuery)))
	mux.Handle("GET /api/dashboard/{panel}", s.auth(http.HandlerFunc(s.handlePanel)))
}

// Handler is a mux with just the routes of Register (for tests and embedding).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w := &headerWriter{ResponseWriter: rw}
		securityHeaders(w.Header())
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			// Browsers resend Basic credentials to any page that posts here.
			httpError(w, http.StatusForbidden, errors.New("cross-origin request refused"))
			return
		}
		code, err := s.httpAllowed(r)
		switch code {
		case http.StatusOK:
			next.ServeHTTP(w, r)
			return
		case http.StatusUnauthorized:
			w.Header().Set("WWW-Authenticate", `Basic realm="attrib", charset="UTF-8"`)
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", fmt.Sprint(int(s.logins.check(hostOf(r.RemoteAddr), "").Seconds()+1)))
		}
		httpError(w, code, err)
	})
}

// sameOrigin reports whether a request has no Origin (not a browser form
// or script of another site) or one matching its Host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// httpAllowed decides whether a request may go on: 200, or the status and
// error to answer. Failed logins count towards the login throttle.
func (s *Server) httpAllowed(r *http.Request) (int, error) {
	authn := errors.New("authentication required: a user's token (Authorization: Bearer) or name and password (HTTP Basic)")
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && tok != "" {
		if err := s.loginLocked("http", r.RemoteAddr, ""); err != nil {
			return http.StatusTooManyRequests, err
		}
		for _, u := range s.users {
			if u.Token != "" && constantEq(u.Token, tok) {
				s.logins.succeed(hostOf(r.RemoteAddr), "")
				return http.StatusOK, nil
			}
		}
		s.loginFailed("http", r.RemoteAddr, "")
		return http.StatusUnauthorized, authn
	}
	if name, pw, ok := r.BasicAuth(); ok {
		if err := s.loginLocked("http", r.RemoteAddr, name); err != nil {
			return http.StatusTooManyRequests, err
		}
		if s.checkPassword(name, pw) {
			s.logins.succeed(hostOf(r.RemoteAddr), name)
			return http.StatusOK, nil
		}
		s.loginFailed("http", r.RemoteAddr, name)
		return http.StatusUnauthorized, authn
	}
	if r.Header.Get("Authorization") != "" {
		return http.StatusUnauthorized, authn
	}
	addr, err := net.ResolveTCPAddr("tcp", r.RemoteAddr)
	if err != nil || !s.anonymousOK(addr) {
		return http.StatusUnauthorized, authn
	}
	if !s.hostAllowed(r) {
		return http.StatusForbidden, fmt.Errorf("host %q is not served to anonymous clients (serve.allowed_hosts)", r.Host)
	}
	return http.StatusOK, nil
}

func httpError(w http.ResponseWriter, code int, err error) {
	w.Header().Set("Content-Type", mimeJSON)
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// statusOf maps a query error to an HTTP status.
func statusOf(err error) int {
	var de *duckdb.Error
	switch {
	case errors.Is(err, access.ErrNotReadOnly), errors.Is(err, access.ErrMultipleStatements):
		return http.StatusForbidden
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errStatementMemory):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errBadRequest), errors.Is(err, access.ErrSyntax), errors.Is(err, access.ErrEmptyStatement):
		return http.StatusBadRequest
	case errors.Is(err, errNoTable):
		return http.StatusNotFound
	case errors.As(err, &de):
		if de.Type == duckdb.ErrorTypePermission {
			return http.StatusForbidden
		}
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

var (
	errBadRequest = errors.New("bad request")
	errNoTable    = errors.New("no such table")
)

// format picks the result format: ?format= wins over the Accept header.
func format(r *http.Request) string {
	switch strings.ToLower(r.URL.Query().Get("format")) {
	case "csv":
		return mimeCSV
	case "arrow":
		return mimeArrow
	case "json":
		return mimeJSON
	}
	accept := r.Header.Get("Accept")
	switch {
	case strings.Contains(accept, mimeArrow):
		return mimeArrow
	case strings.Contains(accept, mimeCSV):
		return mimeCSV
	}
	return mimeJSON
}

// withConn runs fn on a fresh connection of the current snapshot.
func (s *Server) withConn(ctx context.Context, fn func(c *sql.Conn) error) error {
	s.maybeRefresh()
	snap, err := s.acquire()
	if err != nil {
		return err
	}
	defer snap.release()
	c, err := snap.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("server: connection: %w", err)
	}
	defer c.Close()
	return fn(c)
}

// Column is a column of a table or result.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// TableInfo describes one table or view people can read.
type TableInfo struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Rows    *int64   `json:"rows,omitempty"`
	Columns []Column `json:"columns"`
}

// Tables lists the readable tables and views with their columns.
func (s *Server) Tables(ctx context.Context) ([]TableInfo, error) {
	var out []TableInfo
	err := s.withConn(ctx, func(c *sql.Conn) error {
		rows, err := c.QueryContext(ctx, sqlTables)
		if err != nil {
			return fmt.Errorf("server: list tables: %w", err)
		}
		defer rows.Close()
		idx := map[string]int{}
		for rows.Next() {
			var name, kind, col, typ string
			var n sql.NullInt64
			if err := rows.Scan(&name, &kind, &n, &col, &typ); err != nil {
				return fmt.Errorf("server: list tables: %w", err)
			}
			i, ok := idx[name]
			if !ok {
				i = len(out)
				idx[name] = i
				ti := TableInfo{Name: name, Kind: kind}
				if n.Valid {
					v := n.Int64
					ti.Rows = &v
				}
				out = append(out, ti)
			}
			out[i].Columns = append(out[i].Columns, Column{Name: col, Type: typ})
		}
		return rows.Err()
	})
	return out, err
}

func (s *Server) handleTables(w http.ResponseWriter, r *http.Request) {
	ts, err := s.Tables(r.Context())
	if err != nil {
		httpError(w, statusOf(err), err)
		return
	}
	writeJSON(w, ts)
}

func (s *Server) table(ctx context.Context, name string) (TableInfo, error) {
	ts, err := s.Tables(ctx)
	if err != nil {
		return TableInfo{}, err
	}
	for _, t := range ts {
		if t.Name == name {
			return t, nil
		}
	}
	return TableInfo{}, fmt.Errorf("server: %q: %w", name, errNoTable)
}

func (s *Server) handleTable(w http.ResponseWriter, r *http.Request) {
	t, err := s.table(r.Context(), r.PathValue("name"))
	if err != nil {
		httpError(w, statusOf(err), err)
		return
	}
	writeJSON(w, t)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", mimeJSON)
	_ = json.NewEncoder(w).Encode(v)
}

// filterOps are the comparison operators of ?filter=column:op:value.
var filterOps = map[string]string{"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "like": "LIKE", "ilike": "ILIKE"}

// TableQuery builds the SELECT for a table read: columns, filters
// (column:op:value, op one of eq ne lt lte gt gte like ilike in null notnull;
// in takes values separated by |), order (column or -column) and limit.
// Names are checked against the table and quoted; values are bound.
func TableQuery(t TableInfo, columns []string, filters []string, order []string, limit, offset int) (string, []any, error) {
	tc := newTableColumns(t)
	sel, err := tc.selectList(columns)
	if err != nil {
		return "", nil, err
	}
	var where []string
	var args []any
	for _, f := range filters {
		w, a, err := tc.filter(f)
		if err != nil {
			return "", nil, err
		}
		where = append(where, w)
		args = append(args, a...)
	}
	q := "SELECT " + sel + " FROM " + warehouse.QuoteIdent(t.Name)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if len(order) > 0 {
		o, err := tc.orderBy(order)
		if err != nil {
			return "", nil, err
		}
		q += " ORDER BY " + o
	}
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	if offset > 0 {
		q += " OFFSET " + strconv.Itoa(offset)
	}
	return q, args, nil
}

// tableColumns checks the column names of a table query.
type tableColumns struct {
	table string
	has   map[string]bool
}

func newTableColumns(t TableInfo) tableColumns {
	has := map[string]bool{}
	for _, c := range t.Columns {
		has[c.Name] = true
	}
	return tableColumns{table: t.Name, has: has}
}

func (tc tableColumns) bad(what, name string) error {
	return fmt.Errorf("server: %s %q is not a column of %s: %w", what, name, tc.table, errBadRequest)
}

// selectList is the quoted columns, or * for none.
func (tc tableColumns) selectList(columns []string) (string, error) {
	if len(columns) == 0 {
		return "*", nil
	}
	var q []string
	for _, c := range columns {
		if !tc.has[c] {
			return "", tc.bad("column", c)
		}
		q = append(q, warehouse.QuoteIdent(c))
	}
	return strings.Join(q, ", "), nil
}

// filter is the condition of filter f (column:op:value) and its bound
// values.
func (tc tableColumns) filter(f string) (string, []any, error) {
	parts := strings.SplitN(f, ":", 3)
	if len(parts) < 2 {
		return "", nil, fmt.Errorf("server: filter %q: use column:op:value: %w", f, errBadRequest)
	}
	col, op := parts[0], parts[1]
	if !tc.has[col] {
		return "", nil, tc.bad("filter", col)
	}
	val := ""
	if len(parts) == 3 {
		val = parts[2]
	}
	qc := warehouse.QuoteIdent(col)
	switch op {
	case "null":
		return qc + " IS NULL", nil, nil
	case "notnull":
		return qc + " IS NOT NULL", nil, nil
	case "in":
		vals := strings.Split(val, "|")
		ph := make([]string, len(vals))
		args := make([]any, len(vals))
		for i, v := range vals {
			ph[i] = "?"
			args[i] = v
		}
		return qc + "::VARCHAR IN (" + strings.Join(ph, ", ") + ")", args, nil
	}
	sqlOp, ok := filterOps[op]
	if !ok {
		return "", nil, fmt.Errorf("server: filter %q: unknown operator %q: %w", f, op, errBadRequest)
	}
	if sqlOp == "LIKE" || sqlOp == "ILIKE" {
		return qc + "::VARCHAR " + sqlOp + " ?", []any{val}, nil
	}
	return qc + " " + sqlOp + " ?", []any{val}, nil
}

// orderBy is the ORDER BY list of order (a leading - for descending).
func (tc tableColumns) orderBy(order []string) (string, error) {
	var o []string
	for _, c := range order {
		dir := " ASC"
		if n, ok := strings.CutPrefix(c, "-"); ok {
			c, dir = n, " DESC"
		}
		if !tc.has[c] {
			return "", tc.bad("order", c)
		}
		o = append(o, warehouse.QuoteIdent(c)+dir+" NULLS LAST")
	}
	return strings.Join(o, ", "), nil
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *Server) handleRows(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, err := s.table(ctx, r.PathValue("name"))
	if err != nil {
		httpError(w, statusOf(err), err)
		return
	}
	qv := r.URL.Query()
	limit, offset := 1000, 0
	if v := qv.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 {
			httpError(w, http.StatusBadRequest, fmt.Errorf("limit %q: a number of rows, please", v))
			return
		}
	}
	if v := qv.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			httpError(w, http.StatusBadRequest, fmt.Errorf("offset %q: a number of rows, please", v))
			return
		}
	}
	q, args, err := TableQuery(t, splitList(qv["columns"]), qv["filter"], splitList(qv["order"]), limit, offset)
	if err != nil {
		httpError(w, statusOf(err), err)
		return
	}
	s.runAndWrite(w, r, q, args, t.Name)
}

// queryRequest is the body of POST /api/query.
type queryRequest struct {
	SQL    string `json:"sql"`
	Params []any  `json:"params"`
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	var req queryRequest
	if r.Method == http.MethodPost {
		if strings.HasPrefix(r.Header.Get("Content-Type"), mimeJSON) {
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
				httpError(w, http.StatusBadRequest, fmt.Errorf("body: %w", err))
				return
			}
		} else {
			b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				httpError(w, http.StatusBadRequest, fmt.Errorf("body: %w", err))
				return
			}
			req.SQL = string(b)
		}
	} else {
		req.SQL = r.URL.Query().Get("sql")
	}
	s.runStatement(w, r, req.SQL, req.Params, "query", true)
}

// runAndWrite runs one statement the server built on the snapshot and
// writes the result in the requested format.
func (s *Server) runAndWrite(w http.ResponseWriter, r *http.Request, q string, args []any, name string) {
	s.runStatement(w, r, q, args, name, false)
}

// runStatement runs one statement on the snapshot and writes the result in
// the requested format. A person's statement (guard) is first judged by
// DuckDB's parser: exactly one read, or it is refused.
func (s *Server) runStatement(w http.ResponseWriter, r *http.Request, q string, args []any, name string, guard bool) {
	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	// A client that reads slowly cannot hold the statement past its time.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.timeout + 5*time.Second))
	mt := format(r)
	var err error
	if guard {
		// A person's statement runs in a statement worker (worker.go).
		err = s.runPeople(ctx, w, q, args, mt, name)
	} else {
		err = s.withConn(ctx, func(c *sql.Conn) error {
			return s.writeResult(ctx, w, c, statement{sql: q, args: args, media: mt, name: name}, false)
		})
	}
	if err != nil {
		// Nothing has been written when the statement fails to start.
		httpError(w, statusOf(err), err)
	}
}

// runPeople runs a person's statement in a statement worker on the current
// snapshot and copies its answer to w.
func (s *Server) runPeople(ctx context.Context, w http.ResponseWriter, q string, args []any, mt, name string) error {
	s.maybeRefresh()
	snap, err := s.acquire()
	if err != nil {
		return err
	}
	defer snap.release()
	req := workerRequest{Op: opHTTP, SQL: q, Args: args, Media: mt, Name: name}
	_, err = s.runWorker(ctx, snap, req, func(m *workerMsg) error {
		switch m.Kind {
		case msgHeader:
			for k, v := range m.Header {
				w.Header()[k] = v
			}
		case msgData:
			_, err := w.Write(m.Data)
			return err
		}
		return nil
	})
	return err
}

// statement is one statement of the HTTP API to run: its SQL and bound
// values, the media type of its result and the name of a CSV download.
type statement struct {
	sql   string
	args  []any
	media string
	name  string
}

// writeResult runs st on c and writes the result in its media type. A
// person's statement (guard) is first judged by DuckDB's parser: exactly
// one read, or it is refused.
func (s *Server) writeResult(ctx context.Context, w http.ResponseWriter, c *sql.Conn, st statement, guard bool) error {
	q, args, mt, name := st.sql, st.args, st.media, st.name
	if guard {
		stmt, err := access.ReadStatement(ctx, c, q)
		if err != nil {
			return err
		}
		q = stmt
	}
	if mt == mimeArrow {
		return s.writeArrow(ctx, w, c, q, args)
	}
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if mt == mimeCSV {
		w.Header().Set("Content-Type", mimeCSV+"; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name+".csv"))
		return s.writeCSV(w, rows)
	}
	return s.writeJSONRows(w, rows)
}

// Result is the JSON form of a query result.
type Result struct {
	Columns   []Column `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated"`
}

func jsonResult(res *access.Result, truncated bool) Result {
	out := Result{Rows: make([][]any, len(res.Rows)), Truncated: truncated}
	for i, c := range res.Columns {
		out.Columns = append(out.Columns, Column{Name: c, Type: res.Types[i]})
	}
	for i, row := range res.Rows {
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = access.JSONValue(v)
		}
		out.Rows[i] = vals
	}
	return out
}

// errTooLarge refuses a JSON result over serve.max_result_bytes.
var errTooLarge = errors.New("result too large for JSON")

// writeJSONRows writes a result as JSON (the form of Result), encoded row
// by row into a buffer of at most serve.max_result_bytes: a larger result
// is refused with 413 before anything is sent, and memory stays bounded.
func (s *Server) writeJSONRows(w http.ResponseWriter, rows *sql.Rows) error {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	cols := make([]Column, len(cts))
	for i, c := range cts {
		cols[i] = Column{Name: c.Name(), Type: c.DatabaseTypeName()}
	}
	head, err := json.Marshal(cols)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"columns":`)
	buf.Write(head)
	buf.WriteString(`,"rows":[`)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n, truncated := 0, false
	for rows.Next() {
		if n >= s.maxRows {
			truncated = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			vals[i] = access.JSONValue(v)
		}
		b, err := json.Marshal(vals)
		if err != nil {
			return err
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(b)
		if int64(buf.Len()) > s.maxResultBytes {
			return fmt.Errorf("%w: more than %d bytes (serve.max_result_bytes); add a LIMIT, select fewer columns, or ask for format=csv or format=arrow, which stream", errTooLarge, s.maxResultBytes)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Fprintf(&buf, "],\"truncated\":%t}\n", truncated)
	w.Header().Set("Content-Type", mimeJSON)
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) readRows(rows *sql.Rows) (*access.Result, bool, error) {
	res, err := access.ReadRows(rows, s.maxRows+1)
	if err != nil {
		return nil, false, err
	}
	truncated := len(res.Rows) > s.maxRows
	if truncated {
		res.Rows = res.Rows[:s.maxRows]
	}
	return res, truncated, nil
}

func (s *Server) writeCSV(w io.Writer, rows *sql.Rows) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(cols); err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	cells := make([]string, len(cols))
	n := 0
	for rows.Next() && n < s.maxRows {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			cells[i] = access.Text(v)
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
		n++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return rows.Err()
}

// writeArrow streams the result as an Arrow IPC stream, straight from
// DuckDB's Arrow interface.
func (s *Server) writeArrow(ctx context.Context, w http.ResponseWriter, c *sql.Conn, q string, args []any) error {
	return c.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rr.Release()
		w.Header().Set("Content-Type", mimeArrow)
		iw := ipc.NewWriter(w, ipc.WithSchema(rr.Schema()))
		left := int64(s.maxRows)
		for left > 0 && rr.Next() {
			rec := rr.RecordBatch()
			var out arrow.RecordBatch = rec
			if rec.NumRows() > left {
				out = rec.NewSlice(0, left)
			}
			err := iw.Write(out)
			if out != rec {
				out.Release()
			}
			if err != nil {
				return err
			}
			left -= rec.NumRows()
		}
		if err := rr.Err(); err != nil {
			return err
		}
		return iw.Close()
	})
}
