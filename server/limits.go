package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults for the connection settings left at zero in the config.
const (
	DefaultMaxResultBytes          = 64 << 20
	DefaultMaxStatementMemory      = 4 << 30
	DefaultMaxStatements           = 4
	DefaultReadHeaderTimeout       = 10 * time.Second
	DefaultReadTimeout             = 60 * time.Second
	DefaultStartupTimeout          = 10 * time.Second
	DefaultIdleTimeout             = 15 * time.Minute
	DefaultMaxConnections          = 256
	DefaultMaxConnectionsPerClient = 64
)

// Login throttling: after loginFreeFailures failed logins a client address
// or a user name is locked for loginBaseLock, doubled with every further
// failure up to loginMaxLock; a success clears both. Failures older than
// loginForget are forgotten. The right password is refused at most
// loginMaxLock after the last wrong one.
const (
	loginFreeFailures = 5
	loginBaseLock     = time.Second
	loginMaxLock      = time.Minute
	loginForget       = 15 * time.Minute
)

// errTooManyLogins is returned while an address or user is locked.
var errTooManyLogins = errors.New("too many failed logins")

type loginState struct {
	fails int
	last  time.Time
	until time.Time
}

// loginThrottle counts failed logins per client address and per user name.
type loginThrottle struct {
	mu   sync.Mutex
	now  func() time.Time
	keys map[string]*loginState
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{now: time.Now, keys: map[string]*loginState{}}
}

func throttleKeys(addr, user string) []string {
	keys := []string{"addr " + addr}
	if user != "" {
		keys = append(keys, "user "+user)
	}
	return keys
}

// check returns how long the address or user is still locked (0: may try).
func (t *loginThrottle) check(addr, user string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range throttleKeys(addr, user) {
		if st := t.keys[k]; st != nil && st.until.After(now) {
			wait = max(wait, st.until.Sub(now))
		}
	}
	return wait
}

// fail records a failed login and returns the lock it starts (0: none yet).
func (t *loginThrottle) fail(addr, user string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var lock time.Duration
	for _, k := range throttleKeys(addr, user) {
		st := t.keys[k]
		if st == nil || now.Sub(st.last) > loginForget {
			st = &loginState{}
			t.keys[k] = st
		}
		st.fails++
		st.last = now
		if over := st.fails - loginFreeFailures; over > 0 {
			d := loginMaxLock
			if over < 10 {
				d = min(loginBaseLock<<(over-1), loginMaxLock)
			}
			st.until = now.Add(d)
			lock = max(lock, d)
		}
	}
	if len(t.keys) > 100_000 { // forget old entries rather than grow without end
		for k, st := range t.keys {
			if now.Sub(st.last) > loginForget {
				delete(t.keys, k)
			}
		}
	}
	return lock
}

// succeed clears the failures of the address and the user.
func (t *loginThrottle) succeed(addr, user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range throttleKeys(addr, user) {
		delete(t.keys, k)
	}
}

// hostOf is the IP of a host:port address (the whole string if it has no port).
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// loginFailed logs and counts a failed login; it returns the lock started.
func (s *Server) loginFailed(proto, addr, user string) time.Duration {
	lock := s.logins.fail(hostOf(addr), user)
	s.log.Warn("attrib serve: failed login", "protocol", proto, "user", user, "address", addr, "locked_for", lock.String())
	return lock
}

// loginLocked reports (and logs) a login refused because of earlier failures.
func (s *Server) loginLocked(proto, addr, user string) error {
	wait := s.logins.check(hostOf(addr), user)
	if wait <= 0 {
		return nil
	}
	s.log.Warn("attrib serve: login refused after failed logins", "protocol", proto, "user", user, "address", addr, "retry_in", wait.String())
	return fmt.Errorf("%w from this address or for this user: try again in %d s", errTooManyLogins, int(wait.Seconds()+0.999))
}

// limitListener caps open connections per listener and per client address.
// A connection over a limit gets reject's message and is closed; Accept
// goes on with the next one.
type limitListener struct {
	net.Listener
	max, perClient int
	reject         func(c net.Conn, msg string)

	mu    sync.Mutex
	total int
	per   map[string]int
}

func newLimitListener(ln net.Listener, maxConns, perClient int, reject func(net.Conn, string)) *limitListener {
	return &limitListener{Listener: ln, max: maxConns, perClient: perClient, reject: reject, per: map[string]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := hostOf(c.RemoteAddr().String())
		l.mu.Lock()
		var msg string
		switch {
		case l.total >= l.max:
			msg = fmt.Sprintf("too many connections: the server takes %d at most (serve.max_connections)", l.max)
		case l.per[host] >= l.perClient:
			msg = fmt.Sprintf("too many connections from %s: %d at most per client address (serve.max_connections_per_client)", host, l.perClient)
		default:
			l.total++
			l.per[host]++
		}
		l.mu.Unlock()
		if msg != "" {
			go func() {
				_ = c.SetDeadline(time.Now().Add(2 * time.Second))
				l.reject(c, msg)
				_ = c.Close()
			}()
			continue
		}
		return &limitedConn{Conn: c, l: l, host: host}, nil
	}
}

type limitedConn struct {
	net.Conn
	l    *limitListener
	host string
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.total--
		if c.l.per[c.host]--; c.l.per[c.host] <= 0 {
			delete(c.l.per, c.host)
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// rejectHTTP answers a connection over the limits with 503.
func rejectHTTP(c net.Conn, msg string) {
	body := fmt.Sprintf("{\"error\":%q}\n", msg)
	_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// rejectPG answers a connection over the limits with a FATAL ErrorResponse
// (SQLSTATE 53300 too_many_connections), as PostgreSQL does.
func rejectPG(c net.Conn, msg string) {
	var fields []byte
	for _, f := range []struct {
		code byte
		val  string
	}{{'S', "FATAL"}, {'V', "FATAL"}, {'C', "53300"}, {'M', msg}} {
		fields = append(fields, f.code)
		fields = append(fields, f.val...)
		fields = append(fields, 0)
	}
	fields = append(fields, 0)
	n := len(fields) + 4
	out := append([]byte{'E', byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, fields...)
	_, _ = c.Write(out)
}

// HTTPListener wraps ln with the connection limits of serve.
func (s *Server) HTTPListener(ln net.Listener) net.Listener {
	return newLimitListener(ln, s.maxConns, s.maxPerClient, rejectHTTP)
}

// HTTPServer is an http.Server for h with the timeouts of serve: a client
// must send its headers and its request in time, and an idle keep-alive
// connection is closed. Write deadlines are set per response.
func (s *Server) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.readHeaderTimeout,
		ReadTimeout:       s.readTimeout,
		IdleTimeout:       s.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// hostAllowed reports whether an anonymous request's Host header names
// this server (DNS rebinding: a page of another site resolving its own name
// to 127.0.0.1 must not read the warehouse through the browser).
func (s *Server) hostAllowed(r *http.Request) bool {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	for _, a := range s.allowedHosts {
		if host == a {
			return true
		}
	}
	return false
}

// securityHeaders are sent with every response: no framing by other sites
// (clickjacking), no content sniffing.
func securityHeaders(h http.Header) {
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// headerWriter adds frame-ancestors to a Content-Security-Policy the
// handler set itself, just before the header goes out.
type headerWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *headerWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		h := w.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors") {
			h.Set("Content-Security-Policy", strings.TrimSuffix(csp, ";")+"; frame-ancestors 'none'")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
