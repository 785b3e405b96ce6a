// Package server gives people read access to the warehouse while the
// pipeline writes it: a web dashboard, an HTTP API (JSON, CSV, Arrow IPC)
// and a PostgreSQL-protocol endpoint for psql and BI tools. Every person's
// statement runs read-only on a snapshot of the last finished run in a
// separate DuckDB instance with external access off (see snapshot.go).
package server

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"attrib/config"
	"attrib/warehouse"
)

// Defaults for the serve settings left at zero in the config.
const (
	DefaultStatementTimeout = 60 * time.Second
	DefaultMaxRows          = 1_000_000
	DefaultRefresh          = 30 * time.Second
	DefaultMemoryLimit      = "2GB"
)

// Server serves people's read access; one per `attrib serve` process.
type Server struct {
	w           *warehouse.Warehouse
	cfg         *config.Config
	dir         string
	memoryLimit string
	timeout     time.Duration
	maxRows     int
	refresh     time.Duration
	users       map[string]config.User
	loc         *time.Location // the warehouse time zone, for timestamptz values

	maxResultBytes                 int64
	maxStatementMemory             int64       // a statement worker's resident memory cap
	workers                        *workerPool // where people's statements run
	readHeaderTimeout, readTimeout time.Duration
	startupTimeout, idleTimeout    time.Duration
	maxConns, maxPerClient         int
	allowedHosts                   []string
	logins                         *loginThrottle
	log                            *slog.Logger
	pgConns                        sync.Map // remote address -> *trackedConn

	refreshMu sync.Mutex // serialises snapshot builds
	seq       int

	mu        sync.Mutex
	cur       *snapshot
	closed    bool
	lastCheck time.Time
	checking  bool

	sessions sync.Map // pg process id -> *pgSession
}

// New makes the first snapshot of w; cfg.Serve holds users and limits.
func New(ctx context.Context, w *warehouse.Warehouse, cfg *config.Config) (*Server, error) {
	loc, err := time.LoadLocation(w.Options().TimeZone)
	if err != nil {
		loc = time.UTC
	}
	sc := cfg.Serve
	s := &Server{
		w: w, cfg: cfg,
		memoryLimit: sc.MemoryLimit,
		timeout:     sc.StatementTimeout.Duration,
		maxRows:     sc.MaxRows,
		refresh:     sc.Refresh.Duration,
		users:       map[string]config.User{},
		loc:         loc,
	}
	if s.memoryLimit == "" {
		s.memoryLimit = DefaultMemoryLimit
	}
	if s.timeout == 0 {
		s.timeout = DefaultStatementTimeout
	}
	if s.maxRows == 0 {
		s.maxRows = DefaultMaxRows
	}
	if s.refresh == 0 {
		s.refresh = DefaultRefresh
	}
	for _, u := range sc.Users {
		s.users[u.Name] = u
	}
	s.maxResultBytes = orDefault(sc.MaxResultBytes, DefaultMaxResultBytes)
	s.maxStatementMemory = orDefault(sc.MaxStatementMemory, DefaultMaxStatementMemory)
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("server: statement workers: %w", err)
	}
	s.workers = newWorkerPool(exe, orDefault(sc.MaxStatements, DefaultMaxStatements))
	s.readHeaderTimeout = orDefault(sc.ReadHeaderTimeout.Duration, DefaultReadHeaderTimeout)
	s.readTimeout = orDefault(sc.ReadTimeout.Duration, DefaultReadTimeout)
	s.startupTimeout = orDefault(sc.StartupTimeout.Duration, DefaultStartupTimeout)
	s.idleTimeout = orDefault(sc.IdleTimeout.Duration, DefaultIdleTimeout)
	s.maxConns = orDefault(sc.MaxConnections, DefaultMaxConnections)
	s.maxPerClient = orDefault(sc.MaxConnectionsPerClient, DefaultMaxConnectionsPerClient)
	s.allowedHosts = []string{"localhost", "127.0.0.1", "::1"}
	if h, _, err := net.SplitHostPort(sc.HTTP); err == nil && h != "" {
		s.allowedHosts = append(s.allowedHosts, strings.ToLower(h))
	}
	for _, h := range sc.AllowedHosts {
		s.allowedHosts = append(s.allowedHosts, strings.Trim(strings.ToLower(h), "[]"))
	}
	s.logins = newLoginThrottle()
	s.log = slog.Default()
	if p := w.Path(); p != "" {
		s.dir = p + ".snapshots"
	} else {
		s.dir = filepath.Join(cfg.Dir, ".attrib-snapshots")
		if cfg.Dir == "" {
			return nil, fmt.Errorf("server: an in-memory warehouse needs cfg.Dir for snapshots")
		}
	}
	// Snapshots of an earlier serve of this warehouse are stale.
	if err := os.RemoveAll(s.dir); err != nil {
		return nil, fmt.Errorf("server: remove old snapshots: %w", err)
	}
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	s.lastCheck = time.Now()
	return s, nil
}

// Close closes the snapshot instances (sessions still open keep theirs until they end).
func (s *Server) Close() error {
	s.mu.Lock()
	cur := s.cur
	s.closed = true
	s.cur = nil
	s.mu.Unlock()
	s.workers.close()
	if cur != nil {
		cur.release()
		cur.retire()
	}
	return nil
}

// maybeRefresh starts a background refresh when the last check is older
// than the refresh interval; requests keep using the current snapshot.
func (s *Server) maybeRefresh() {
	s.mu.Lock()
	if s.closed || s.checking || time.Since(s.lastCheck) < s.refresh {
		s.mu.Unlock()
		return
	}
	s.checking = true
	s.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		_ = s.Refresh(ctx) // a failed refresh keeps serving the previous snapshot
		s.mu.Lock()
		s.checking = false
		s.lastCheck = time.Now()
		s.mu.Unlock()
	}()
}

// checkPassword reports whether name/password match a configured user.
func (s *Server) checkPassword(name, password string) bool {
	u, ok := s.users[name]
	if !ok || u.Password == "" {
		return false
	}
	return constantEq(u.Password, password)
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// SetLogger sets where failed logins and refused connections are logged
// (default slog.Default()).
func (s *Server) SetLogger(l *slog.Logger) { s.log = l }

func constantEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// anonymousOK reports whether a client at addr may connect without a password.
func (s *Server) anonymousOK(addr net.Addr) bool {
	if !s.cfg.Serve.Anonymous || addr == nil {
		return false
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
