package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"attrib/config"
	"attrib/jobs"
	"attrib/server"
	"attrib/warehouse"
)

// shutdownBudget is how long serve takes at most, after SIGTERM, to cancel
// the run in progress, record it and close the warehouse (the contract says
// 10 s; the rest is margin for the process to exit).
const shutdownBudget = 8 * time.Second

func newServeCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Long-running: built-in schedules, /healthz and /metrics (and the dashboard, HTTP API and PostgreSQL endpoint)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if err := serveChecks(cfg, os.Stderr); err != nil {
				return err
			}
			return runServe(cmd.Context(), cfg, os.Stdout)
		},
	}
}

// serveState is what the HTTP handlers and listeners of one serve process share.
type serveState struct {
	cfg     *config.Config
	w       *warehouse.Warehouse
	runner  *jobs.Runner
	sched   *jobs.Scheduler
	metrics *jobs.Metrics
	started time.Time

	stopping atomic.Bool

	// onRun is called after every finished attempt or skipped run (in the
	// runner's goroutine), e.g. to refresh what readers see after a success.
	onRunMu sync.Mutex
	onRun   []func(jobs.RunResult)
}

// afterRun adds a function called after every run.
func (s *serveState) afterRun(fn func(jobs.RunResult)) {
	s.onRunMu.Lock()
	defer s.onRunMu.Unlock()
	s.onRun = append(s.onRun, fn)
}

func (s *serveState) runFinished(res jobs.RunResult) {
	switch res.Status {
	case jobs.StatusFailed:
		slog.Error("run failed", "job", res.Job, "run", res.RunID, "attempt", res.Attempt, "trigger", res.Trigger, "err", res.Err)
	case jobs.StatusCancelled, jobs.StatusSkipped:
		slog.Warn("run "+res.Status, "job", res.Job, "run", res.RunID, "trigger", res.Trigger, "err", res.Err)
	default:
		slog.Info("run finished", "job", res.Job, "run", res.RunID, "status", res.Status, "seconds", res.Duration.Seconds(), "transform", res.Transform.Mode)
	}
	s.onRunMu.Lock()
	fns := append([]func(jobs.RunResult){}, s.onRun...)
	s.onRunMu.Unlock()
	for _, fn := range fns {
		fn(res)
	}
}

// newServeMux builds every HTTP route of `attrib serve`: /healthz and
// /metrics (unauthenticated), then the dashboard and HTTP API of people.
func newServeMux(s *serveState, people *server.Server) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.Handler())
	people.Register(mux)
	return mux
}

// runServe opens the warehouse (this process owns it), starts the HTTP
// listener and the schedules, and on ctx's end (SIGTERM, SIGINT) stops
// scheduling, cancels the run in progress and returns within shutdownBudget.
func runServe(ctx context.Context, cfg *config.Config, out *os.File) error {
	w, err := openWarehouse(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer w.Close()
	st, err := newServeState(ctx, cfg, w)
	if err != nil {
		return err
	}

	// People's SQL runs on a read-only snapshot refreshed after every run
	// (see docs/sql-access.md); it is closed before the warehouse.
	started := time.Now()
	people, err := server.New(ctx, w, cfg)
	if err != nil {
		return err
	}
	slog.Debug("snapshot made", "seconds", time.Since(started).Seconds())
	defer people.Close()
	st.afterRun(func(res jobs.RunResult) {
		if res.Status == jobs.StatusSucceeded {
			go func() {
				rs, err := people.RefreshReport(context.Background())
				if err != nil {
					slog.Warn("serve: refresh the read-only snapshot", "err", err)
					return
				}
				slog.Info("snapshot refreshed", "run", res.RunID, "how", rs.How, "seconds", rs.Took.Seconds(),
					"written_bytes", rs.Written, "file_bytes", rs.Size)
			}()
		}
	})

	fatal := make(chan error, 4)
	ln, httpStop, hstop, err := st.startHTTP(people, fatal)
	if err != nil {
		return err
	}
	defer hstop()
	// stoppers are called in reverse order at shutdown, before the warehouse
	// closes.
	stoppers := []func(context.Context) error{httpStop}
	pgln, pgStop, err := startPostgres(cfg, people, fatal)
	if err != nil {
		return err
	}
	stoppers = append(stoppers, pgStop)

	st.sched.Start()
	fmt.Fprintf(out, "attrib serve: http://%s  (dashboard /, API /api/, /healthz, /metrics); postgres %s; %d scheduled job(s); stop with SIGTERM\n", ln.Addr(), pgln.Addr(), len(st.sched.Schedules()))

	var ferr error
	select {
	case <-ctx.Done():
	case ferr = <-fatal:
		slog.Error("serve: stopping", "err", ferr)
	}
	return st.shutdown(stoppers, ferr)
}

// newServeState builds the runner (with metrics and hooks) and the
// scheduler of the configured jobs on w.
func newServeState(ctx context.Context, cfg *config.Config, w *warehouse.Warehouse) (*serveState, error) {
	r, err := jobs.NewRunner(ctx, w, cfg)
	if err != nil {
		return nil, err
	}
	metrics := jobs.NewMetrics()
	names := make([]string, 0, len(cfg.Jobs))
	for _, j := range cfg.Jobs {
		names = append(names, j.Name)
	}
	if err := metrics.Init(ctx, w.DB(), names); err != nil {
		return nil, err
	}
	r.Metrics = metrics
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("serve: time zone: %w", err)
	}
	sched, err := jobs.NewScheduler(r, cfg.Jobs, loc, slog.Default())
	if err != nil {
		return nil, err
	}
	st := &serveState{cfg: cfg, w: w, runner: r, sched: sched, metrics: metrics, started: time.Now()}
	r.Hooks.Attempt = st.runFinished
	r.Hooks.Step = func(name string) { slog.Debug("step", "name", name) }
	r.Hooks.Ingest = &fileProgress{w: os.Stderr, tty: false} // logs only, even on a terminal
	return st, nil
}

// startHTTP listens on serve.http and serves every route there; errors
// while serving go to fatal. It returns the listener, the stopper called
// at shutdown and the cancel of the requests' base context (the caller
// defers it).
func (s *serveState) startHTTP(people *server.Server, fatal chan<- error) (net.Listener, func(context.Context) error, context.CancelFunc, error) {
	mux := newServeMux(s, people)
	ln, err := net.Listen("tcp", s.cfg.Serve.HTTP)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("serve: listen on %s (serve.http): %w", s.cfg.Serve.HTTP, err)
	}
	// Read-header, read and idle timeouts; connection limits per server and
	// per client address (serve.* keys, docs/operations.md).
	srv := people.HTTPServer(mux)
	hctx, hstop := context.WithCancel(context.Background())
	srv.BaseContext = func(net.Listener) context.Context { return hctx }
	go func() {
		if err := srv.Serve(people.HTTPListener(ln)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fatal <- fmt.Errorf("serve: http: %w", err)
		}
	}()
	// Requests get a short grace; statements still running then are
	// interrupted (their context ends), so SIGTERM stops serve in time.
	stop := func(ctx context.Context) error {
		grace, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(grace); err == nil {
			return nil
		}
		hstop()
		return srv.Shutdown(ctx)
	}
	return ln, stop, hstop, nil
}

// startPostgres listens on serve.postgres and serves the PostgreSQL
// protocol there; errors while serving go to fatal. It returns the
// listener and the stopper called at shutdown.
func startPostgres(cfg *config.Config, people *server.Server, fatal chan<- error) (net.Listener, func(context.Context) error, error) {
	pgln, err := net.Listen("tcp", cfg.Serve.Postgres)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: listen on %s (serve.postgres): %w", cfg.Serve.Postgres, err)
	}
	pgctx, pgstop := context.WithCancel(context.Background())
	pgdone := make(chan error, 1)
	go func() {
		err := people.ServePostgresListener(pgctx, pgln)
		if err != nil {
			fatal <- fmt.Errorf("serve: postgres: %w", err)
		}
		pgdone <- err
	}()
	return pgln, func(context.Context) error { pgstop(); <-pgdone; return nil }, nil
}

// shutdown stops the schedules (cancelling the run in progress) and calls
// stoppers in reverse order, all within shutdownBudget; a second signal
// meanwhile exits at once. ferr, the error that stopped serve, if any, is
// returned with theirs.
func (s *serveState) shutdown(stoppers []func(context.Context) error, ferr error) error {
	s.stopping.Store(true)
	// A second signal during shutdown exits at once.
	force := make(chan os.Signal, 1)
	signal.Notify(force, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(force)
	go func() {
		if _, ok := <-force; ok {
			fmt.Fprintln(os.Stderr, "attrib serve: second signal, exiting without cleanup")
			os.Exit(2)
		}
	}()

	sctx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
	defer cancel()
	var errs []error
	if err := s.sched.Stop(sctx); err != nil {
		errs = append(errs, err)
	}
	for i := len(stoppers) - 1; i >= 0; i-- {
		if err := stoppers[i](sctx); err != nil {
			errs = append(errs, err)
		}
	}
	if ferr != nil {
		errs = append(errs, ferr)
	}
	return errors.Join(errs...)
}

// healthz answers 200 with the schedule state while the process serves and
// the warehouse answers, 503 otherwise.
func (s *serveState) healthz(w http.ResponseWriter, r *http.Request) {
	status, code := "ok", http.StatusOK
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var one int
	if s.stopping.Load() {
		status, code = "stopping", http.StatusServiceUnavailable
	} else if err := s.w.DB().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		status, code = "warehouse unavailable: "+err.Error(), http.StatusServiceUnavailable
	}
	body := struct {
		Status        string          `json:"status"`
		UptimeSeconds float64         `json:"uptime_seconds"`
		Jobs          []jobs.Schedule `json:"jobs"`
	}{status, time.Since(s.started).Seconds(), s.sched.Schedules()}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
