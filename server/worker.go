package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgtype"

	"attrib/access"
	"attrib/warehouse"
)

// People's statements run in a child process, one per statement.
//
// DuckDB folds constant expressions while it plans, and neither a statement
// timeout, a cancel request nor memory_limit stops that: `SELECT repeat('x',
// 2e9)` took serve to 8 GB for over a minute. Execution has the same hole
// (`repeat(s, n) FROM range(60)` allocates strings outside the buffer
// manager and checks for interrupts only between chunks). So serve never runs
// a person's statement in its own process: it starts itself again as a
// statement worker (the environment variable below), sends the request on
// stdin and reads the result as gob frames on stdout. The worker opens the
// same read-only snapshot file in its own locked-down DuckDB instance.
// serve kills it when the statement timeout passes, on a cancel request or
// shutdown, and when its resident memory passes serve.max_statement_memory;
// whatever the statement does, serve itself stays small and responsive.
// Statements serve builds itself (dashboard panels, table browsing with
// bound filters) still run in-process.

// workerEnv marks a process started as a statement worker.
const workerEnv = "ATTRIB_STATEMENT_WORKER"

// Operations a worker performs.
const (
	opDescribe = "describe" // check and describe a PostgreSQL statement
	opPG       = "pg"       // run a PostgreSQL statement, rows for the wire
	opHTTP     = "http"     // run an HTTP API statement, bytes in a format
)

// workerRequest is the one request a worker serves.
type workerRequest struct {
	Op          string
	Snapshot    string
	TimeZone    string
	MemoryLimit string
	Threads     int
	Timeout     time.Duration
	SQL         string
	Args        []any
	MaxRows     int
	// PostgreSQL: which result columns go in binary format.
	Binary []bool
	// HTTP: the media type and the name of a CSV download.
	Media          string
	Name           string
	MaxResultBytes int64
}

// Kinds of frames a worker writes.
const (
	msgDescribe = iota + 1 // Statement, Names, OIDs, Params
	msgRows                // Rows (PostgreSQL)
	msgHeader              // Header (HTTP)
	msgData                // Data (HTTP)
	msgDone                // Count
	msgError               // Err
)

// workerMsg is one frame from a worker.
type workerMsg struct {
	Kind      int
	Statement string
	Names     []string
	OIDs      []uint32
	Params    []uint32
	Rows      [][]any
	Header    map[string][]string
	Data      []byte
	Count     int
	Err       *workerError
}

// workerError carries an error across the process boundary: its text, which
// of the errors callers test for it wraps, and DuckDB's error type.
type workerError struct {
	Msg      string
	Sentinel string
	Duck     bool
	DuckType int
}

// sentinels are the errors whose identity survives the trip, in the order
// they are looked for.
var sentinels = []struct {
	name string
	err  error
}{
	{"not_read_only", access.ErrNotReadOnly}, {"multiple_statements", access.ErrMultipleStatements},
	{"syntax", access.ErrSyntax}, {"empty", access.ErrEmptyStatement}, {"too_large", errTooLarge},
	{"row_cap", errRowCap}, {"bad_request", errBadRequest},
	{"deadline", context.DeadlineExceeded}, {"canceled", context.Canceled},
}

func init() {
	// Values a worker sends inside []any: what duckdb-go scans and what
	// pgType.value makes of it (the basic types gob knows already).
	for _, v := range []any{
		time.Time{}, []any{}, map[string]any{}, &big.Int{},
		duckdb.Decimal{}, duckdb.Interval{}, duckdb.UUID{}, duckdb.Map{}, duckdb.Union{},
		pgtype.Numeric{}, pgtype.Time{}, pgtype.Interval{}, [16]byte{},
		int8(0), int16(0), int32(0), uint8(0), uint16(0), uint32(0), uint64(0), float32(0),
	} {
		gob.Register(v)
	}
}

// toWorkerError describes err for the parent.
func toWorkerError(err error) *workerError {
	we := &workerError{Msg: err.Error()}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			we.Sentinel = s.name
			break
		}
	}
	var de *duckdb.Error
	if errors.As(err, &de) {
		we.Duck, we.DuckType = true, int(de.Type)
	}
	return we
}

// remoteError is a worker's error in the parent: same text, same identity.
type remoteError struct {
	msg  string
	errs []error
}

func (e *remoteError) Error() string   { return e.msg }
func (e *remoteError) Unwrap() []error { return e.errs }

func (we *workerError) err() error {
	re := &remoteError{msg: we.Msg}
	for _, s := range sentinels {
		if s.name == we.Sentinel {
			re.errs = append(re.errs, s.err)
		}
	}
	if we.Duck {
		re.errs = append(re.errs, &duckdb.Error{Type: duckdb.ErrorType(we.DuckType), Msg: we.Msg})
	}
	return re
}

// errStatementMemory stops a statement whose worker grew past
// serve.max_statement_memory.
var errStatementMemory = errors.New("statement stopped: it needed more memory than serve.max_statement_memory allows; add filters, aggregate, or select fewer rows")

// errWorker is a worker that ended without an answer.
var errWorker = errors.New("server: statement worker failed")

// memoryPoll is how often serve reads a worker's resident memory.
const memoryPoll = 20 * time.Millisecond

// worker is one statement worker process; it serves requests one at a time.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	enc    *gob.Encoder
	dec    *gob.Decoder
	stderr bytes.Buffer
	// The snapshot file of its last request, and while that request runs
	// the one before it: the files it may have open (one at a time,
	// snapshotCache), guarded by the pool's mu.
	path, prev string
}

// workerPool keeps started workers for the next statements: at most
// serve.max_statements run at once; idle ones wait for work.
type workerPool struct {
	path  string
	slots chan struct{}
	mu    sync.Mutex
	idle  []*worker
	busy  map[*worker]bool
	shut  bool
}

func newWorkerPool(path string, max int) *workerPool {
	return &workerPool{path: path, slots: make(chan struct{}, max), busy: map[*worker]bool{}}
}

// get waits for a free slot and returns an idle worker or a new one, to
// run a request on the snapshot file snap.
func (p *workerPool) get(ctx context.Context, snap string) (*worker, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a free statement slot (serve.max_statements): %w", ctx.Err())
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.busyOn(w, snap)
		p.mu.Unlock()
		return w, nil
	}
	p.mu.Unlock()
	w, err := p.start()
	if err != nil {
		<-p.slots
		return nil, err
	}
	p.mu.Lock()
	p.busyOn(w, snap)
	p.mu.Unlock()
	return w, nil
}

// busyOn marks w busy with a request on snap (mu held).
func (p *workerPool) busyOn(w *worker, snap string) {
	p.busy[w] = true
	w.prev, w.path = w.path, snap
}

func (p *workerPool) start() (*worker, error) {
	w := &worker{cmd: exec.Command(p.path)}
	w.cmd.Env = append(os.Environ(), workerEnv+"=1")
	w.cmd.Stderr = &limitedBuffer{buf: &w.stderr, max: 4096}
	var err error
	if w.stdin, err = w.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("%w: %v", errWorker, err)
	}
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errWorker, err)
	}
	if err := w.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: start: %v", errWorker, err)
	}
	w.enc = gob.NewEncoder(w.stdin)
	w.dec = gob.NewDecoder(bufio.NewReaderSize(stdout, 64<<10))
	return w, nil
}

// put returns a worker after a request: kept when it is healthy, ended
// otherwise (killed, failed, or holding much memory after a big statement).
func (p *workerPool) put(w *worker, healthy bool, maxMemory int64) {
	keep := healthy && warehouse.ResidentBytes(w.cmd.Process.Pid) < maxMemory/2
	p.mu.Lock()
	if keep && !p.shut {
		// Busy to idle at once, so that drop sees it in one or the other.
		delete(p.busy, w)
		w.prev = "" // it answered: only the request's file is open
		p.idle = append(p.idle, w)
		p.mu.Unlock()
		<-p.slots
		return
	}
	p.mu.Unlock()
	w.end()
	p.mu.Lock()
	delete(p.busy, w)
	p.mu.Unlock()
	<-p.slots
}

// drop ends the idle workers that have the snapshot file path open and
// reports whether no busy one may have it open: then no worker has the file
// open until a request names it again (serve patches it in between).
func (p *workerPool) drop(path string) bool {
	p.mu.Lock()
	for w := range p.busy {
		if w.path == path || w.prev == path {
			p.mu.Unlock()
			return false
		}
	}
	var gone []*worker
	keep := p.idle[:0]
	for _, w := range p.idle {
		if w.path == path {
			gone = append(gone, w)
		} else {
			keep = append(keep, w)
		}
	}
	p.idle = keep
	p.mu.Unlock()
	for _, w := range gone {
		w.end() // waits for the process: its descriptors are closed
	}
	return true
}

// close ends the idle workers; busy ones end when their request does.
func (p *workerPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.shut = nil, true
	p.mu.Unlock()
	for _, w := range idle {
		w.end()
	}
}

// end stops a worker: stdin closed (it exits between requests), then killed.
func (w *worker) end() {
	_ = w.stdin.Close()
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
}

// runWorker runs req in a statement worker on snap and hands every frame
// but the last to on; it returns the final frame (msgDescribe or msgDone) or
// the statement's error. The worker is killed when ctx ends or its memory
// passes serve.max_statement_memory.
func (s *Server) runWorker(ctx context.Context, snap *snapshot, req workerRequest, on func(*workerMsg) error) (*workerMsg, error) {
	req.Snapshot, req.TimeZone, req.MemoryLimit = snap.path, s.loc.String(), s.memoryLimit
	req.MaxRows, req.MaxResultBytes = s.maxRows, s.maxResultBytes
	for attempt := 0; ; attempt++ {
		if dl, ok := ctx.Deadline(); ok {
			req.Timeout = time.Until(dl)
		}
		w, err := s.workers.get(ctx, snap.path)
		if err != nil {
			return nil, err
		}
		r := s.request(ctx, w, req, on)
		s.workers.put(w, r.healthy(), s.maxStatementMemory)
		switch {
		case r.stop == stopMemory:
			return nil, fmt.Errorf("%w (%s)", errStatementMemory, formatBytes(s.maxStatementMemory))
		case ctx.Err() != nil:
			return nil, fmt.Errorf("statement: %w", ctx.Err())
		case r.final != nil || r.err != nil:
			return r.final, r.err
		case attempt == 0 && !r.got:
			continue // an idle worker that had died: once more with a new one
		}
		return nil, fmt.Errorf("%w: %s", errWorker, strings.TrimSpace(w.stderr.String()))
	}
}

// Why a worker was stopped during a request.
const (
	stopNone   = iota
	stopCtx    // statement timeout, cancel request or shutdown
	stopMemory // over serve.max_statement_memory
	stopClient // the client went away mid-result
)

// answer is how one request went.
type answer struct {
	final *workerMsg // msgDescribe or msgDone
	err   error      // the statement's error (or the client's)
	got   bool       // any frame came back
	stop  int        // stop* when the worker was killed
}

// healthy: the worker finished the request and can take another.
func (a answer) healthy() bool {
	return a.stop == stopNone && (a.final != nil || (a.err != nil && a.got))
}

// request sends one request to w and reads its answer while a watchdog
// kills w when ctx ends or its memory passes the cap.
func (s *Server) request(ctx context.Context, w *worker, req workerRequest, on func(*workerMsg) error) (a answer) {
	done := make(chan struct{})
	why := make(chan int, 1)
	go func() {
		t := time.NewTicker(memoryPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				why <- stopNone
				return
			case <-ctx.Done():
				_ = w.cmd.Process.Kill()
				why <- stopCtx
				return
			case <-t.C:
				if warehouse.ResidentBytes(w.cmd.Process.Pid) > s.maxStatementMemory {
					_ = w.cmd.Process.Kill()
					why <- stopMemory
					return
				}
			}
		}
	}()
	defer func() {
		close(done)
		if r := <-why; a.stop == stopNone {
			a.stop = r
		}
	}()
	if err := w.enc.Encode(&req); err != nil {
		return a
	}
	for {
		m := new(workerMsg)
		if err := w.dec.Decode(m); err != nil {
			return a
		}
		a.got = true
		switch m.Kind {
		case msgError:
			a.err = m.Err.err()
			return a
		case msgDescribe, msgDone:
			a.final = m
			return a
		}
		if err := on(m); err != nil {
			// The client is gone or too slow: the worker may be mid-stream.
			_ = w.cmd.Process.Kill()
			a.err, a.stop = err, stopClient
			return a
		}
	}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// limitedBuffer keeps the first max bytes of a worker's stderr.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		if len(p) > room {
			l.buf.Write(p[:room])
		} else {
			l.buf.Write(p)
		}
	}
	return len(p), nil
}
