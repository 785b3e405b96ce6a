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
	"sync"
	"time"

	"attrib/config"
	"attrib/ingest"
	"attrib/queries"
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

// StepResult is one step of a run.
type StepResult struct {
	Step    string  `json:"step"`
	Seconds float64 `json:"seconds"`
	Rows    int64   `json:"rows"`
}

// RunResult is the outcome of one run.
type RunResult struct {
	RunID    string
	Job      string
	Status   string
	RowsIn   int64
	RowsOut  int64
	Steps    []StepResult
	Ingest   ingest.Report
	Duration time.Duration
	Err      error
}

// Hooks let the CLI show progress; every field may be nil.
type Hooks struct {
	Ingest ingest.Progress
	Step   func(name string)
}

// Runner runs jobs against one open warehouse; runs of one job never overlap.
type Runner struct {
	W     *warehouse.Warehouse
	Cfg   *config.Config
	Hooks Hooks

	mu      sync.Mutex
	running map[string]bool
}

// NewRunner marks runs left running by a dead process as failed and returns a runner.
func NewRunner(ctx context.Context, w *warehouse.Warehouse, cfg *config.Config) (*Runner, error) {
	if _, err := w.DB().ExecContext(ctx, sqlRunInterrupted); err != nil {
		return nil, fmt.Errorf("jobs: mark interrupted runs: %w", err)
	}
	return &Runner{W: w, Cfg: cfg, running: map[string]bool{}}, nil
}

// ErrOverlap is returned when a job is started while it is still running.
var ErrOverlap = errors.New("jobs: the job is already running")

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// Run executes the job's steps once and records the run.
func (r *Runner) Run(ctx context.Context, job config.Job, trigger string) (RunResult, error) {
	r.mu.Lock()
	if r.running[job.Name] {
		r.mu.Unlock()
		return RunResult{Job: job.Name, Status: StatusSkipped}, ErrOverlap
	}
	r.running[job.Name] = true
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.running, job.Name)
		r.mu.Unlock()
	}()

	if job.Timeout.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, job.Timeout.Duration)
		defer cancel()
	}
	res := RunResult{RunID: newRunID(), Job: job.Name, Status: StatusRunning}
	start := time.Now()
	host, _ := os.Hostname()
	db := r.W.DB()
	if _, err := db.ExecContext(ctx, sqlRunStart, res.RunID, job.Name, trigger, start, os.Getpid(), host); err != nil {
		return res, fmt.Errorf("jobs: record start: %w", err)
	}
	err := r.steps(ctx, job, &res)
	res.Duration = time.Since(start)
	res.Status = StatusSucceeded
	errText := ""
	if err != nil {
		res.Err = err
		errText = err.Error()
		res.Status = StatusFailed
		if errors.Is(err, context.Canceled) {
			res.Status = StatusCancelled
		}
	}
	stepsJSON, _ := json.Marshal(res.Steps)
	// Record the end even when ctx is cancelled.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, ferr := db.ExecContext(fctx, sqlRunFinish, time.Now(), res.Status, res.RowsIn, res.RowsOut,
		nullable(errText), string(stepsJSON), res.RunID); ferr != nil && err == nil {
		err = fmt.Errorf("jobs: record end: %w", ferr)
	}
	return res, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (r *Runner) steps(ctx context.Context, job config.Job, res *RunResult) error {
	timed := func(name string, fn func() (int64, error)) error {
		if r.Hooks.Step != nil {
			r.Hooks.Step(name)
		}
		t := time.Now()
		rows, err := fn()
		res.Steps = append(res.Steps, StepResult{Step: name, Seconds: time.Since(t).Seconds(), Rows: rows})
		return err
	}
	if slices.Contains(job.Steps, "ingest") {
		err := timed("ingest", func() (int64, error) {
			rep, err := ingest.Run(ctx, r.W, r.Cfg, ingest.Options{Progress: r.Hooks.Ingest})
			res.Ingest = rep
			read, loaded, _, _ := rep.Totals()
			res.RowsIn += read
			return loaded, err
		})
		if err != nil {
			return err
		}
	}
	if !slices.Contains(job.Steps, "transform") && !slices.Contains(job.Steps, "evaluate") {
		return nil
	}
	return r.W.Conn(ctx, func(c *sql.Conn) error {
		var tr transform.Result
		err := timed("transform", func() (int64, error) {
			var err error
			tr, err = transform.Run(ctx, c, r.Cfg, r.Hooks.Step)
			return tr.Credits, err
		})
		if err != nil {
			return err
		}
		err = timed("evaluate", func() (int64, error) {
			return 0, queries.Build(ctx, c, r.Cfg)
		})
		if err != nil {
			return err
		}
		return timed("publish", func() (int64, error) {
			tables := append(slices.Clone(transform.Published), queries.Published...)
			if err := warehouse.Publish(ctx, c, tables); err != nil {
				return 0, err
			}
			res.RowsOut = tr.Credits
			return tr.Credits, nil
		})
	})
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
		if err := rows.Scan(&x.RunID, &x.Job, &x.Trigger, &x.StartedAt, &x.FinishedAt, &x.Status, &x.RowsIn, &x.RowsOut, &x.Error); err != nil {
			return nil, fmt.Errorf("jobs: recent runs: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
