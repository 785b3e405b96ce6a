package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/robfig/cron/v3"

	"attrib/config"

	// Schedules may name any zone (CRON_TZ=Asia/Shanghai ...); the zone
	// database is compiled in so that this works on hosts without zoneinfo.
	_ "time/tzdata"
)

// Scheduler runs the jobs that have a schedule, with robfig/cron v3, in the
// process that owns the warehouse. A tick that finds the job's previous run
// still going is recorded as a skipped run; a panicking run is recorded as
// failed and the job runs again at its next tick.
type Scheduler struct {
	r    *Runner
	cron *cron.Cron
	log  *slog.Logger

	ctx    context.Context // parent of every scheduled run; cancelled by Stop
	cancel context.CancelFunc

	entries map[string]cron.EntryID

	// release hands back the freed memory the warehouse keeps
	// (warehouse.ReleaseMemory); tests count its calls.
	release func()
}

// NewScheduler prepares the schedules of jobs; schedules without CRON_TZ=
// are read in loc. log receives panics of runs (nil: discarded).
func NewScheduler(r *Runner, jobs []config.Job, loc *time.Location, log *slog.Logger) (*Scheduler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if loc == nil {
		loc = time.UTC
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{r: r, log: log, ctx: ctx, cancel: cancel, entries: map[string]cron.EntryID{}, release: r.W.ReleaseMemory}
	s.cron = cron.New(cron.WithParser(config.CronParser), cron.WithLocation(loc), cron.WithLogger(cronLogger{log}))
	for _, j := range jobs {
		if j.Schedule == "" {
			continue
		}
		sched, err := config.CronParser.Parse(j.Schedule)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("jobs: job %q: schedule %q: %w", j.Name, j.Schedule, err)
		}
		// Recover must sit inside SkipIfStillRunning: cron v3.0.1's
		// SkipIfStillRunning puts its token back without a defer, so a panic
		// escaping the inner job would keep the job "running" for ever.
		wrapped := cron.NewChain(
			cron.SkipIfStillRunning(skipRecorder{s: s, job: j.Name}),
			cron.Recover(cronLogger{log.With("job", j.Name)}),
		).Then(cron.FuncJob(func() { s.runScheduled(j) }))
		s.entries[j.Name] = s.cron.Schedule(sched, wrapped)
	}
	return s, nil
}

func (s *Scheduler) runScheduled(j config.Job) {
	if s.ctx.Err() != nil {
		return
	}
	// The outcome is in pipeline_runs, the metrics and Hooks.Attempt.
	_, _ = s.r.Run(s.ctx, j, TriggerSchedule)
	// Between runs the process gives back the freed memory a run keeps for
	// reuse (warehouse.ReleaseMemory), unless another job is still running.
	if s.r.idle() {
		s.release()
	}
}

// Start begins scheduling.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels the runs in progress through their context
// (DuckDB interrupts the running query; the run is recorded as cancelled) and
// waits until they have returned or ctx ends.
func (s *Scheduler) Stop(ctx context.Context) error {
	done := s.cron.Stop()
	s.cancel()
	select {
	case <-done.Done():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs: stop scheduler: runs still in progress: %w", ctx.Err())
	}
}

// Schedule is one scheduled job's timing, for health output.
type Schedule struct {
	Job      string    `json:"job"`
	Next     time.Time `json:"next"`
	Previous time.Time `json:"previous,omitzero"`
	Running  string    `json:"running,omitempty"` // run id in progress
}

// Schedules lists the scheduled jobs with their next and previous tick.
func (s *Scheduler) Schedules() []Schedule {
	var out []Schedule
	for job, id := range s.entries {
		e := s.cron.Entry(id)
		out = append(out, Schedule{Job: job, Next: e.Next, Previous: e.Prev, Running: s.r.Running(job)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Job < out[j].Job })
	return out
}

// skipRecorder receives SkipIfStillRunning's "skip" message and records a
// skipped run for the job.
type skipRecorder struct {
	s   *Scheduler
	job string
}

func (k skipRecorder) Info(msg string, _ ...any) {
	if msg != "skip" || k.s.ctx.Err() != nil {
		return
	}
	running := k.s.r.Running(k.job)
	_, _ = k.s.r.RecordSkipped(k.s.ctx, k.job, TriggerSchedule, "the previous run is still running (run "+running+")")
}

func (k skipRecorder) Error(err error, msg string, kv ...any) {}

// cronLogger passes cron's errors (recovered panics) to slog; its
// informational messages (every tick) are dropped.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(string, ...any) {}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("scheduler: "+msg, append([]any{"err", err}, kv...)...)
}
