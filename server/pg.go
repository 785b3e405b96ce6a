package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/codes"
	psqlerr "github.com/jeroenrinzema/psql-wire/errors"
	"github.com/jeroenrinzema/psql-wire/pkg/buffer"

	"attrib/access"
)

// pgSession is one PostgreSQL client on one snapshot: its statements run
// in statement workers (worker.go), each on a fresh connection there.
type pgSession struct {
	pid, secret int32
	user        string
	snap        *snapshot // pinned by an open BEGIN block (snapshot_session.go)

	mu     sync.Mutex
	cancel context.CancelFunc // of the running statement
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) *pgSession {
	s, _ := ctx.Value(sessionKey{}).(*pgSession)
	return s
}

// ServePostgresListener serves the PostgreSQL protocol on ln until ctx is
// done (attrib serve listens on serve.postgres, tests on 127.0.0.1:0).
func (s *Server) ServePostgresListener(ctx context.Context, ln net.Listener) error {
	lim := newLimitListener(ln, s.maxConns, s.maxPerClient, rejectPG)
	tl := &trackingListener{Listener: lim, conns: map[net.Conn]struct{}{}, s: s}
	srv, err := s.newWire()
	if err != nil {
		_ = ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(tl) }()
	select {
	case err := <-errc:
		tl.closeAll()
		if err != nil {
			return fmt.Errorf("server: postgres: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	// Interrupt the statements still running and close every connection
	// first: the wire server's Close waits for the sessions to end.
	tl.closeConns()
	s.cancelStatements()
	_ = srv.Close()
	tl.closeAll()
	<-errc
	srv.Wait()
	return nil
}

func (s *Server) newWire() (*wire.Server, error) {
	tz := s.w.Options().TimeZone
	opts := []wire.OptionFn{
		wire.Version("16.0"),
		wire.GlobalParameters(wire.Parameters{
			"standard_conforming_strings":   "on",
			"client_encoding":               "UTF8",
			"server_encoding":               "UTF8",
			"DateStyle":                     "ISO, MDY",
			"IntervalStyle":                 "postgres",
			"TimeZone":                      tz,
			"integer_datetimes":             "on",
			"is_superuser":                  "off",
			"default_transaction_read_only": "on",
			"in_hot_standby":                "off",
		}),
		wire.SessionAuthStrategy(s.pgAuth),
		wire.BackendKeyData(func(ctx context.Context) (int32, int32) {
			if ps := sessionFrom(ctx); ps != nil {
				return ps.pid, ps.secret
			}
			return 0, 0
		}),
		wire.CancelRequest(s.pgCancel),
		wire.SessionMiddleware(s.pgOpenSession),
		wire.CloseConn(s.pgCloseSession),
		wire.Portals(func() wire.PortalCache {
			return &formatPortals{inner: &wire.DefaultPortalCache{}, formats: map[string][]wire.FormatCode{}}
		}),
		wire.Logger(slog.New(minLevel{slog.Default().Handler(), slog.LevelWarn})),
		// Each connection holds a read buffer of the largest message size.
		wire.MessageBufferSize(maxPGMessage),
		wire.ErrorSanitizer(fatalOversized),
	}
	if s.cfg.Serve.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.Resolve(s.cfg.Serve.TLSCert), s.cfg.Resolve(s.cfg.Serve.TLSKey))
		if err != nil {
			return nil, fmt.Errorf("server: postgres TLS: %w", err)
		}
		opts = append(opts, wire.TLSConfig(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}))
	}
	srv, err := wire.NewServer(s.pgParse, opts...)
	if err != nil {
		return nil, fmt.Errorf("server: postgres: %w", err)
	}
	return srv, nil
}

// maxPGMessage is the largest PostgreSQL message (a statement with its
// parameters) a client may send; the same as the HTTP body limit.
const maxPGMessage = 1 << 20

// fatalOversized makes the answer to an oversized message FATAL: the
// client drops the connection instead of going on with a stream the
// server may read differently from it.
func fatalOversized(err error) error {
	if errors.Is(err, buffer.ErrMessageSizeExceeded) {
		return psqlerr.WithSeverity(psqlerr.WithCode(
			fmt.Errorf("message larger than %d bytes: %w", maxPGMessage, err), codes.ProgramLimitExceeded), psqlerr.LevelFatal)
	}
	return err
}

// pgOpenSession registers the authenticated client's session; each of its
// statements reads the snapshot current when it starts.
func (s *Server) pgOpenSession(ctx context.Context) (context.Context, error) {
	ps := sessionFrom(ctx)
	if ps == nil {
		return ctx, errors.New("server: session without authentication")
	}
	s.maybeRefresh()
	snap, err := s.acquire()
	if err != nil {
		return ctx, err
	}
	snap.release()
	s.sessions.Store(ps.pid, ps)
	if a := wire.RemoteAddress(ctx); a != nil {
		if tc, ok := s.pgConns.Load(a.String()); ok {
			tc.(*trackedConn).sessionOpened(s.idleTimeout)
		}
	}
	return ctx, nil
}

func (s *Server) pgCloseSession(ctx context.Context) error {
	ps := sessionFrom(ctx)
	if ps == nil {
		return nil
	}
	s.sessions.Delete(ps.pid)
	s.unpinSnapshot(ps)
	return nil
}

// pgCancel honours a CancelRequest: the running statement of the session
// with that process id and secret is interrupted.
func (s *Server) pgCancel(ctx context.Context, pid, secret int32) error {
	v, ok := s.sessions.Load(pid)
	if !ok {
		return nil
	}
	ps := v.(*pgSession)
	if ps.secret != secret {
		return nil
	}
	ps.mu.Lock()
	if ps.cancel != nil {
		ps.cancel()
	}
	ps.mu.Unlock()
	return nil
}

// cancelStatements interrupts the running statement of every session.
func (s *Server) cancelStatements() {
	s.sessions.Range(func(_, v any) bool {
		ps := v.(*pgSession)
		ps.mu.Lock()
		if ps.cancel != nil {
			ps.cancel()
		}
		ps.mu.Unlock()
		return true
	})
}

func randInt32() int32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return int32(binary.BigEndian.Uint32(b[:]) & 0x7fffffff)
}

// pgError gives an error a SQLSTATE the client understands.
func pgError(err error) error {
	var de *duckdb.Error
	code := codes.Internal
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return psqlerr.WithCode(fmt.Errorf("canceling statement due to statement timeout: %w", err), codes.QueryCanceled)
	case errors.Is(err, context.Canceled):
		return psqlerr.WithCode(fmt.Errorf("canceling statement due to user request: %w", err), codes.QueryCanceled)
	case errors.Is(err, access.ErrNotReadOnly), errors.Is(err, access.ErrMultipleStatements):
		code = codes.ReadOnlySQLTransaction
	case errors.Is(err, access.ErrSyntax):
		code = codes.Syntax
	case errors.Is(err, errRowCap):
		code = codes.ProgramLimitExceeded
	case errors.Is(err, errStatementMemory):
		code = codes.OutOfMemory
	case errors.As(err, &de):
		switch de.Type {
		case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax:
			code = codes.Syntax
		case duckdb.ErrorTypeCatalog:
			code = codes.UndefinedTable
		case duckdb.ErrorTypeBinder:
			code = codes.UndefinedColumn
		case duckdb.ErrorTypePermission, duckdb.ErrorTypeInvalidConfiguration, duckdb.ErrorTypeMissingExtension, duckdb.ErrorTypeAutoLoad:
			code = codes.InsufficientPrivilege
		case duckdb.ErrorTypeInterrupt:
			code = codes.QueryCanceled
		case duckdb.ErrorTypeConversion, duckdb.ErrorTypeInvalidInput, duckdb.ErrorTypeMismatchType:
			code = codes.InvalidTextRepresentation
		case duckdb.ErrorTypeDivideByZero, duckdb.ErrorTypeOutOfRange:
			code = codes.DataException
		case duckdb.ErrorTypeOutOfMemory:
			code = codes.InsufficientResources
		}
	}
	return psqlerr.WithCode(err, code)
}

var errRowCap = errors.New("result has more rows than serve.max_rows allows; add a LIMIT or aggregate")

// pgParse turns one query string into prepared statements. The split is a
// convenience for clients that send several statements at once; each piece
// is judged on its own by DuckDB's parser (access.ReadStatement), so a
// piece that hides a second statement is refused, never run.
func (s *Server) pgParse(ctx context.Context, q wire.Query) (wire.PreparedStatements, error) {
	ps := sessionFrom(ctx)
	if ps == nil {
		return nil, errors.New("server: no session")
	}
	stmts := access.SplitStatements(q.Query)
	if len(stmts) == 0 {
		// Blank or comments only (pgx's Ping sends "-- ping").
		return wire.Prepared(emptyStatement()), nil
	}
	var out wire.PreparedStatements
	for _, stmt := range stmts {
		p, err := s.pgPrepare(ctx, ps, stmt, q.ParameterOIDs)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// emptyStatement answers an empty query with EmptyQueryResponse.
func emptyStatement() *wire.PreparedStatement {
	return wire.NewStatement(func(ctx context.Context, w wire.DataWriter, _ []wire.Parameter) error {
		return w.Empty()
	})
}

// statementContext bounds one step of a person's statement (checking,
// describing, running) by the statement timeout and lets a CancelRequest
// interrupt it; call done when the step ends.
func (ps *pgSession) statementContext(ctx context.Context, timeout time.Duration) (context.Context, func()) {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	ps.mu.Lock()
	ps.cancel = cancel
	ps.mu.Unlock()
	return qctx, func() {
		ps.mu.Lock()
		ps.cancel = nil
		ps.mu.Unlock()
		cancel()
	}
}

// pgPrepare handles client housekeeping statements, emulates what
// PostgreSQL clients ask the catalog, checks with DuckDB's parser that the
// statement is one read and describes its result, all under the statement
// timeout: DuckDB plans while describing, which can take long.
func (s *Server) pgPrepare(ctx context.Context, ps *pgSession, stmt string, paramOIDs []uint32) (*wire.PreparedStatement, error) {
	if p, ok, err := s.pgHousekeeping(stmt); ok || err != nil {
		return p, err
	}
	if fixed, ok := pgCatalogAnswer(stmt); ok {
		return fixed, nil
	}
	stmt = rewriteCatalog(stmt)
	qctx, done := ps.statementContext(ctx, s.timeout)
	defer done()
	snap, err := s.sessionSnapshot(ps)
	if err != nil {
		return nil, pgError(err)
	}
	defer snap.release()
	// Checked and described in a statement worker: planning alone can take
	// long and much memory (worker.go).
	d, err := s.runWorker(qctx, snap, workerRequest{Op: opDescribe, SQL: stmt}, nil)
	if errors.Is(err, access.ErrEmptyStatement) {
		return emptyStatement(), nil
	}
	if err != nil {
		return nil, pgError(err)
	}
	params := d.Params
	for i := range params {
		if i < len(paramOIDs) && paramOIDs[i] != 0 {
			params[i] = paramOIDs[i]
		}
	}
	cols := make(wire.Columns, len(d.Names))
	for i, name := range d.Names {
		cols[i] = wire.Column{Name: name, Oid: d.OIDs[i], Width: -1}
	}
	stmt = d.Statement
	fn := func(ctx context.Context, w wire.DataWriter, args []wire.Parameter) error {
		return s.pgExecute(ctx, ps, w, stmt, len(cols), params, args)
	}
	return wire.NewStatement(fn, wire.WithColumns(cols), wire.WithParameters(params)), nil
}

// namedType is a result column and how it is sent.
type namedType struct {
	name string
	*pgType
}

// describe prepares stmt on the session's connection to learn its result
// columns and parameter types without running it.
func describe(ctx context.Context, c *sql.Conn, stmt string, loc *time.Location) ([]namedType, []uint32, error) {
	var types []namedType
	var params []uint32
	err := c.Raw(func(dc any) error {
		prep, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, stmt)
		if err != nil {
			return err
		}
		defer prep.Close()
		st, ok := prep.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("server: unexpected statement type %T", prep)
		}
		if types, err = columnTypes(st, loc); err != nil {
			return err
		}
		for i := 1; i <= st.NumInput(); i++ {
			t, err := st.ParamType(i)
			if err != nil {
				params = append(params, oidText)
				continue
			}
			params = append(params, paramOID(t))
		}
		return nil
	})
	return types, params, err
}

// columnTypes gives the result columns of a prepared statement and how
// each is sent.
func columnTypes(st *duckdb.Stmt, loc *time.Location) ([]namedType, error) {
	n, err := st.ColumnCount()
	if err != nil {
		return nil, err
	}
	types := make([]namedType, 0, n)
	for i := 0; i < n; i++ {
		name, err := st.ColumnName(i)
		if err != nil {
			return nil, err
		}
		info, err := st.ColumnTypeInfo(i)
		if err != nil {
			info = nil
		}
		types = append(types, namedType{name: name, pgType: newPGType(info, loc)})
	}
	return types, nil
}

func paramOID(t duckdb.Type) uint32 {
	switch t {
	case duckdb.TYPE_BOOLEAN:
		return oidBool
	case duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT:
		return oidInt2
	case duckdb.TYPE_INTEGER:
		return oidInt4
	case duckdb.TYPE_BIGINT, duckdb.TYPE_UINTEGER, duckdb.TYPE_UBIGINT:
		return oidInt8
	case duckdb.TYPE_FLOAT:
		return oidFloat4
	case duckdb.TYPE_DOUBLE:
		return oidFloat8
	case duckdb.TYPE_DECIMAL, duckdb.TYPE_HUGEINT:
		return oidNumeric
	case duckdb.TYPE_DATE:
		return oidDate
	case duckdb.TYPE_TIMESTAMP:
		return oidTimestamp
	case duckdb.TYPE_TIMESTAMP_TZ:
		return oidTimestamptz
	case duckdb.TYPE_BLOB:
		return oidBytea
	}
	return oidText
}

// rowBatch is how many rows are encoded before one write to the client.
const rowBatch = 512

// pgExecute runs a prepared statement in a statement worker and streams
// its rows to the client in batches.
func (s *Server) pgExecute(ctx context.Context, ps *pgSession, w wire.DataWriter, stmt string, ncols int, params []uint32, args []wire.Parameter) error {
	vals := make([]any, len(args))
	for i, a := range args {
		oid := uint32(oidText)
		if i < len(params) {
			oid = params[i]
		}
		v, err := paramValue(a, oid)
		if err != nil {
			return psqlerr.WithCode(fmt.Errorf("parameter $%d: %w", i+1, err), codes.InvalidTextRepresentation)
		}
		vals[i] = v
	}
	qctx, done := ps.statementContext(ctx, s.timeout)
	defer done()

	formats := formatsFrom(ctx)
	binary := make([]bool, ncols)
	for i := range binary {
		f := wire.TextFormat
		if len(formats) == 1 {
			f = formats[0]
		} else if i < len(formats) {
			f = formats[i]
		}
		binary[i] = f == wire.BinaryFormat
	}
	snap, err := s.sessionSnapshot(ps)
	if err != nil {
		return pgError(err)
	}
	defer snap.release()
	req := workerRequest{Op: opPG, SQL: stmt, Args: vals, Binary: binary}
	final, err := s.runWorker(qctx, snap, req, func(m *workerMsg) error {
		return wire.WriteRows(w, m.Rows)
	})
	if err != nil {
		return pgError(err)
	}
	return w.Complete(fmt.Sprintf("SELECT %d", final.Count))
}

// streamer converts rows for the wire and writes them in batches.
type streamer struct {
	maxRows int
	write   func([][]any) error
	types   []namedType
	binary  []bool
	count   int
}

func (st *streamer) stream(next func(raw []any) (bool, error)) error {
	n := len(st.types)
	raw := make([]any, n)
	batch := make([][]any, 0, rowBatch)
	cells := make([]any, n*rowBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.write(batch)
		batch = batch[:0]
		return err
	}
	for {
		ok, err := next(raw)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if st.count >= st.maxRows {
			return fmt.Errorf("%w (%d)", errRowCap, st.maxRows)
		}
		row := cells[len(batch)*n : (len(batch)+1)*n : (len(batch)+1)*n]
		for i, v := range raw {
			row[i] = st.types[i].value(v, st.binary[i])
		}
		batch = append(batch, row)
		st.count++
		if len(batch) == rowBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// paramValue decodes a bound parameter for DuckDB.
func paramValue(p wire.Parameter, oid uint32) (any, error) {
	if p.Value() == nil {
		return nil, nil
	}
	if p.Format() == wire.TextFormat {
		return string(p.Value()), nil
	}
	v, err := p.Scan(oid)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case interface{ Value() (driver.Value, error) }:
		return x.Value()
	case [16]uint8:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16]), nil
	}
	return v, nil
}

// pgHousekeeping answers statements clients send on their own (BEGIN,
// harmless SETs, PostgreSQL SHOW variables) and refuses other SETs.
func (s *Server) pgHousekeeping(stmt string) (*wire.PreparedStatement, bool, error) {
	words := access.Words(stmt, 3)
	if len(words) == 0 {
		return nil, false, nil
	}
	tag := func(t string) *wire.PreparedStatement {
		return wire.NewStatement(func(ctx context.Context, w wire.DataWriter, _ []wire.Parameter) error {
			return w.Complete(t)
		})
	}
	switch words[0] {
	case "begin", "start":
		// A BEGIN..COMMIT block reads one snapshot throughout.
		return s.txStatement("BEGIN", true), true, nil
	case "commit", "end":
		return s.txStatement("COMMIT", false), true, nil
	case "rollback", "abort":
		return s.txStatement("ROLLBACK", false), true, nil
	case "discard":
		return tag("DISCARD ALL"), true, nil
	case "deallocate":
		return tag("DEALLOCATE"), true, nil
	case "set", "reset":
		name := ""
		for _, w := range words[1:] {
			if w != "session" && w != "local" {
				name = w
				break
			}
		}
		if harmlessSettings[name] {
			return tag(strings.ToUpper(words[0])), true, nil
		}
		return nil, false, psqlerr.WithCode(fmt.Errorf("%s %s is not allowed: settings are fixed on read-only connections", strings.ToUpper(words[0]), name), codes.InsufficientPrivilege)
	case "show":
		if len(words) > 1 {
			if v, ok := s.pgVariable(words[1]); ok {
				return fixedResult([]string{words[1]}, [][]string{{v}}), true, nil
			}
		}
	}
	return nil, false, nil
}

// harmlessSettings are client settings accepted (and ignored) so that
// drivers and BI tools can connect; they do not change what is read.
var harmlessSettings = map[string]bool{
	"extra_float_digits": true, "application_name": true, "client_encoding": true, "datestyle": true,
	"intervalstyle": true, "client_min_messages": true, "bytea_output": true, "search_path": true,
	"statement_timeout": true, "lock_timeout": true, "idle_in_transaction_session_timeout": true,
	"transaction": true, "session": true, "names": true, "timezone": true, "time": true,
	"standard_conforming_strings": true, "jit": true, "default_transaction_isolation": true,
	"characteristics": true, "default_transaction_read_only": true,
}

func (s *Server) pgVariable(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "transaction_isolation", "default_transaction_isolation":
		return "read committed", true
	case "transaction_read_only", "default_transaction_read_only":
		return "on", true
	case "standard_conforming_strings", "integer_datetimes":
		return "on", true
	case "server_version":
		return "16.0", true
	case "server_version_num":
		return "160000", true
	case "client_encoding", "server_encoding":
		return "UTF8", true
	case "timezone":
		return s.w.Options().TimeZone, true
	case "datestyle":
		return "ISO, MDY", true
	case "search_path":
		return `"$user", public`, true
	case "max_identifier_length":
		return "63", true
	case "lc_collate", "lc_ctype":
		return "C", true
	case "statement_timeout":
		return fmt.Sprintf("%dms", s.timeout.Milliseconds()), true
	}
	return "", false
}

// fixedResult is a statement that returns constant text rows.
func fixedResult(cols []string, rows [][]string) *wire.PreparedStatement {
	wc := make(wire.Columns, len(cols))
	for i, c := range cols {
		wc[i] = wire.Column{Name: c, Oid: oidText, Width: -1}
	}
	return wire.NewStatement(func(ctx context.Context, w wire.DataWriter, _ []wire.Parameter) error {
		for _, r := range rows {
			vals := make([]any, len(r))
			for i, v := range r {
				vals[i] = v
			}
			if err := w.Row(vals); err != nil {
				return err
			}
		}
		return w.Complete(fmt.Sprintf("SELECT %d", len(rows)))
	}, wire.WithColumns(wc))
}

// formatPortals remembers the result formats of each portal so a
// statement can send binary values to clients that asked for them.
type formatPortals struct {
	inner   *wire.DefaultPortalCache
	mu      sync.Mutex
	formats map[string][]wire.FormatCode
}

type formatsKey struct{}

func formatsFrom(ctx context.Context) []wire.FormatCode {
	f, _ := ctx.Value(formatsKey{}).([]wire.FormatCode)
	return f
}

func (p *formatPortals) Bind(ctx context.Context, name string, st *wire.Statement, params []wire.Parameter, formats []wire.FormatCode) error {
	p.mu.Lock()
	p.formats[name] = formats
	p.mu.Unlock()
	return p.inner.Bind(ctx, name, st, params, formats)
}

func (p *formatPortals) Get(ctx context.Context, name string) (*wire.Portal, error) {
	return p.inner.Get(ctx, name)
}

func (p *formatPortals) Execute(ctx context.Context, name string, limit wire.Limit, r *buffer.Reader, w *buffer.Writer) error {
	p.mu.Lock()
	f := p.formats[name]
	p.mu.Unlock()
	ctx = context.WithValue(ctx, formatsKey{}, f)
	return p.inner.Execute(context.WithValue(ctx, limitKey{}, limit), name, limit, r, w)
}

type limitKey struct{}

// limitFrom is the row limit of the Execute running the statement: the
// simple protocol and most drivers ask for all rows (NoLimit).
func limitFrom(ctx context.Context) wire.Limit {
	if l, ok := ctx.Value(limitKey{}).(wire.Limit); ok {
		return l
	}
	return wire.NoLimit
}

func (p *formatPortals) Delete(ctx context.Context, name string) error {
	p.mu.Lock()
	delete(p.formats, name)
	p.mu.Unlock()
	return p.inner.Delete(ctx, name)
}

func (p *formatPortals) DeleteByStatement(ctx context.Context, st *wire.Statement) error {
	return p.inner.DeleteByStatement(ctx, st)
}

func (p *formatPortals) Close() { p.inner.Close() }

// trackingListener remembers accepted connections so shutdown can close them.
type trackingListener struct {
	net.Listener
	s     *Server
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	done  bool
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		_ = c.Close()
		return nil, net.ErrClosed
	}
	tc := &trackedConn{Conn: c, l: l}
	l.conns[tc] = struct{}{}
	// TLS, startup and authentication must be done in time; the session
	// then gets idle deadlines (pgOpenSession).
	_ = c.SetDeadline(time.Now().Add(l.s.startupTimeout))
	l.s.pgConns.Store(c.RemoteAddr().String(), tc)
	return tc, nil
}

// closeAll closes the listener and every connection.
func (l *trackingListener) closeAll() {
	l.closeConns()
	_ = l.Listener.Close()
}

// closeConns refuses new connections and closes the open ones.
func (l *trackingListener) closeConns() {
	l.mu.Lock()
	l.done = true
	conns := make([]net.Conn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

type trackedConn struct {
	net.Conn
	l    *trackingListener
	once sync.Once
	idle atomic.Int64 // nanoseconds a session may stay silent; 0 before it opens
}

// Read waits at most the idle timeout for a client's next message.
func (c *trackedConn) Read(b []byte) (int, error) {
	if d := time.Duration(c.idle.Load()); d > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(d))
	}
	return c.Conn.Read(b)
}

// Write gives up on a client that stops reading results.
func (c *trackedConn) Write(b []byte) (int, error) {
	if d := time.Duration(c.idle.Load()); d > 0 {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(d))
	}
	return c.Conn.Write(b)
}

// sessionOpened ends the startup deadline and starts the idle ones.
func (c *trackedConn) sessionOpened(idle time.Duration) {
	_ = c.Conn.SetDeadline(time.Time{})
	c.idle.Store(int64(idle))
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
		c.l.s.pgConns.CompareAndDelete(c.RemoteAddr().String(), c)
	})
	return c.Conn.Close()
}

// minLevel drops the wire library's records below a level: the server
// logs only what an operator should see.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.level}
}

func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.level} }
