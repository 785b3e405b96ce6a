package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"attrib/config"
	"attrib/ingest"
	"attrib/transform"
	"attrib/warehouse"
)

// Triggers say why a run started.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerBackfill = "backfill"
	TriggerDemo     = "demo"
)

// Run statuses in pipeline_runs.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
	StatusSkipped   = "skipped"
)

// maxBackoff caps the doubling wait between retries.
const maxBackoff = 10 * time.Minute

// StepResult is one step of a run.
type StepResult struct {
	Step    string  `json:"step"`
	Seconds float64 `json:"seconds"`
	Rows    int64   `json:"rows"`
	// Note says how the step ran: for transform, "incremental (n people
	// rebuilt)" or "full (why)".
	Note string `json:"note,omitempty"`
}

// RunResult is the outcome of one run (the last attempt when retried).
type RunResult struct {
	RunID   string
	Job     string
	Trigger string
	Status  string
	Attempt int
	RowsIn  int64
	RowsOut int64
	Steps   []StepResult
	Ingest  ingest.Report
	// Transform is the transform step's result (zero when it did not run).
	Transform transform.Result
	Exported  []string // files written by the export step
	Started   time.Time
	Duration  time.Duration
	Err       error
}

// Hooks let the CLI show progress and report attempts; every field may be nil.
type Hooks struct {
	Ingest ingest.Progress
	Step   func(name string)
	// Attempt is called after every finished attempt (including failed
	// attempts that will be retried) and every skipped run.
	Attempt func(RunResult)
}

// Runner runs jobs against one open warehouse; runs of one job never overlap.
type Runner struct {
	W     *warehouse.Warehouse
	Cfg   *config.Config
	Hooks Hooks
	// Metrics, when set, observes every attempt.
	Metrics *Metrics

	// beforeStep, set by tests only, runs before each top-level step with the
	// attempt's context.
	beforeStep func(ctx context.Context, step string) error

	mu      sync.Mutex
	running map[string]string // job -> run id
}

// NewRunner marks runs left running by a dead process as failed and returns a runner.
func NewRunner(ctx context.Context, w *warehouse.Warehouse, cfg *config.Config) (*Runner, error) {
	if _, err := w.DB().ExecContext(ctx, sqlRunInterrupted); err != nil {
		return nil, fmt.Errorf("jobs: mark interrupted runs: %w", err)
	}
	return &Runner{W: w, Cfg: cfg, running: map[string]string{}}, nil
}

// ErrOverlap is returned when a job is started while it is still running.
var ErrOverlap = errors.New("jobs: the job is already running")

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// options of one invocation.
type options struct {
	trigger  string
	from, to string // backfill range, "YYYY-MM-DD"; "" for a full run
	full     bool   // rebuild everything even when an incremental run is possible
}

// Run executes the job's steps once (retrying a failure up to job.Retries
// times with doubling backoff) and records every attempt in pipeline_runs.
// A run of a job that is still running is recorded as skipped and returns
// ErrOverlap.
func (r *Runner) Run(ctx context.Context, job config.Job, trigger string) (RunResult, error) {
	return r.invoke(ctx, job, options{trigger: trigger})
}

// RunFull is Run with a full rebuild of every person's paths and identities,
// even when an incremental run is possible (after a restore, or to check).
func (r *Runner) RunFull(ctx context.Context, job config.Job, trigger string) (RunResult, error) {
	return r.invoke(ctx, job, options{trigger: trigger, full: true})
}

// Backfill recomputes everything like Run, but publishes only the rows dated
// from..to (inclusive) of the date-grained tables (DateGrained); all other
// published tables keep their rows. The export step, if any, runs afterwards.
func (r *Runner) Backfill(ctx context.Context, job config.Job, from, to time.Time) (RunResult, error) {
	if to.Before(from) {
		return RunResult{Job: job.Name, Trigger: TriggerBackfill}, fmt.Errorf("jobs: backfill: --to %s is before --from %s", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	if !slices.Contains(job.Steps, "transform") && !slices.Contains(job.Steps, "evaluate") {
		job.Steps = append(slices.Clone(job.Steps), "transform", "evaluate")
	}
	return r.invoke(ctx, job, options{trigger: TriggerBackfill, from: from.Format(time.DateOnly), to: to.Format(time.DateOnly)})
}

// Running reports the run id of the job's run in progress ("" when idle).
func (r *Runner) Running(job string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running[job]
}

// idle reports whether no job is running.
func (r *Runner) idle() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.running) == 0
}

func (r *Runner) invoke(ctx context.Context, job config.Job, o options) (RunResult, error) {
	runID := newRunID()
	r.mu.Lock()
	if other, busy := r.running[job.Name]; busy {
		r.mu.Unlock()
		res, err := r.RecordSkipped(ctx, job.Name, o.trigger, "the job is still running (run "+other+")")
		if err != nil {
			return res, err
		}
		return res, ErrOverlap
	}
	r.running[job.Name] = runID
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.running, job.Name)
		r.mu.Unlock()
	}()

	backoff := job.RetryBackoff.Duration
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			runID = newRunID()
			r.mu.Lock()
			r.running[job.Name] = runID
			r.mu.Unlock()
		}
		res, err := r.attempt(ctx, job, o, runID, attempt)
		if err == nil || res.Status != StatusFailed || attempt > job.Retries || ctx.Err() != nil {
			return res, err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return res, err
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// RecordSkipped records a run of job that did not start, with the reason.
func (r *Runner) RecordSkipped(ctx context.Context, job, trigger, reason string) (RunResult, error) {
	now := time.Now()
	res := RunResult{RunID: newRunID(), Job: job, Trigger: trigger, Status: StatusSkipped, Attempt: 1, Started: now,
		Err: fmt.Errorf("skipped: %s", reason)}
	host, _ := os.Hostname()
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := r.W.DB().ExecContext(fctx, sqlRunSkipped, res.RunID, job, trigger, now, now, reason, os.Getpid(), host); err != nil {
		return res, fmt.Errorf("jobs: record skipped run: %w", err)
	}
	r.observe(res)
	return res, nil
}

func (r *Runner) observe(res RunResult) {
	if r.Metrics != nil {
		r.Metrics.Observe(res)
	}
	if r.Hooks.Attempt != nil {
		r.Hooks.Attempt(res)
	}
}

// attempt runs the steps once and records the attempt. A panic in a step is
// recorded as a failed run and re-raised.
func (r *Runner) attempt(parent context.Context, job config.Job, o options, runID string, n int) (res RunResult, err error) {
	res = RunResult{RunID: runID, Job: job.Name, Trigger: o.trigger, Status: StatusRunning, Attempt: n, Started: time.Now()}
	host, _ := os.Hostname()
	db := r.W.DB()
	if _, err := db.ExecContext(parent, sqlRunStart, res.RunID, job.Name, o.trigger, res.Started, os.Getpid(), host, n,
		nullable(o.from), nullable(o.to)); err != nil {
		res.Status, res.Err = StatusFailed, fmt.Errorf("jobs: record start: %w", err)
		if parent.Err() != nil {
			res.Status = StatusCancelled
		}
		return res, res.Err
	}
	if r.Metrics != nil {
		r.Metrics.started(job.Name)
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	if job.Timeout.Duration > 0 {
		ctx, cancel = context.WithTimeout(ctx, job.Timeout.Duration)
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			res.Err = fmt.Errorf("panic: %v", p)
			res.Status = StatusFailed
			r.finish(parent, &res)
			panic(p)
		}
	}()
	err = r.steps(ctx, job, o, &res)
	switch {
	case err == nil:
		res.Status = StatusSucceeded
	case parent.Err() != nil:
		res.Status = StatusCancelled
		err = fmt.Errorf("cancelled: %w", err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		res.Status = StatusFailed
		err = fmt.Errorf("timed out after %s: %w", job.Timeout.Duration, err)
	default:
		res.Status = StatusFailed
	}
	res.Err = err
	if ferr := r.finish(parent, &res); ferr != nil && err == nil {
		res.Status, res.Err, err = StatusFailed, ferr, ferr
	}
	return res, err
}

// finish records the end of an attempt, even when ctx is cancelled.
func (r *Runner) finish(ctx context.Context, res *RunResult) error {
	res.Duration = time.Since(res.Started)
	errText := ""
	if res.Err != nil {
		errText = res.Err.Error()
	}
	stepsJSON, _ := json.Marshal(res.Steps)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := r.W.DB().ExecContext(fctx, sqlRunFinish, time.Now(), res.Status, res.RowsIn, res.RowsOut,
		nullable(errText), string(stepsJSON), res.RunID)
	r.observe(*res)
	if err != nil {
		return fmt.Errorf("jobs: record end: %w", err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// steps runs the job's pipeline of stages in one session.
func (r *Runner) steps(ctx context.Context, job config.Job, o options, res *RunResult) error {
	p, err := newPipeline(job.Steps, r.Cfg)
	if err != nil {
		return err
	}
	s := &Session{W: r.W, Cfg: r.Cfg, RunID: res.RunID, Hooks: r.Hooks, Full: o.full, From: o.from, To: o.to}
	defer s.report(res)
	for _, seg := range p.segments() {
		if err := s.run(ctx, seg, func(st Stage) error { return r.timed(ctx, st, s, res) }); err != nil {
			return err
		}
	}
	return nil
}

// timed runs one stage, reports it to the hooks and records its duration,
// rows and note in res.Steps; its error is prefixed with the stage's name.
func (r *Runner) timed(ctx context.Context, st Stage, s *Session, res *RunResult) error {
	name := st.Name
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if r.Hooks.Step != nil {
		r.Hooks.Step(name)
	}
	if r.beforeStep != nil {
		if err := r.beforeStep(ctx, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	t := time.Now()
	rows, note, err := st.Run(ctx, s)
	res.Steps = append(res.Steps, StepResult{Step: name, Seconds: time.Since(t).Seconds(), Rows: rows, Note: note})
	if err != nil && !strings.HasPrefix(err.Error(), name+":") {
		return fmt.Errorf("%s: %w", name, err)
	}
	return err
}

// Run is one row of pipeline_runs.
type Run struct {
	RunID      string
	Job        string
	Trigger    string
	StartedAt  time.Time
	FinishedAt sql.NullTime
	Status     string
	RowsIn     sql.NullInt64
	RowsOut    sql.NullInt64
	Error      string
	Attempt    int
	RangeFrom  string // backfill range, "" otherwise
	RangeTo    string
	Steps      []StepResult
}

// Recent returns the newest runs first.
func Recent(ctx context.Context, db *sql.DB, limit int) ([]Run, error) {
	rows, err := db.QueryContext(ctx, sqlRecentRuns, limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: recent runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var x Run
		var steps string
		if err := rows.Scan(&x.RunID, &x.Job, &x.Trigger, &x.StartedAt, &x.FinishedAt, &x.Status, &x.RowsIn, &x.RowsOut, &x.Error,
			&x.Attempt, &x.RangeFrom, &x.RangeTo, &steps); err != nil {
			return nil, fmt.Errorf("jobs: recent runs: %w", err)
		}
		if steps != "" && steps != "null" {
			if err := json.Unmarshal([]byte(steps), &x.Steps); err != nil {
				return nil, fmt.Errorf("jobs: recent runs: steps of %s: %w", x.RunID, err)
			}
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: recent runs: %w", err)
	}
	return out, nil
}
