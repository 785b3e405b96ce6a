package jobs

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"attrib/config"
	"attrib/transform"
	"attrib/warehouse"
)

// heavySQL keeps DuckDB busy for far longer than any test; only an interrupt
// through the context ends it.
const heavySQL = "SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7919 = 13"

// opsRunner opens the small data set and returns a runner on it.
func opsRunner(t *testing.T) (*Runner, *warehouse.Warehouse) {
	t.Helper()
	cfg, w := openSmall(t)
	r, err := NewRunner(context.Background(), w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r, w
}

func fullJob(name string) config.Job {
	return config.Job{Name: name, Steps: []string{"ingest", "transform", "evaluate"}, RetryBackoff: config.Duration{Duration: 10 * time.Millisecond}}
}

// runsOf lists the job's runs, oldest first.
func runsOf(t *testing.T, w *warehouse.Warehouse, job string) []Run {
	t.Helper()
	all, err := Recent(context.Background(), w.DB(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []Run
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Job == job {
			out = append(out, all[i])
		}
	}
	return out
}

// waitFor polls observable state until cond holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		<-tick.C
	}
}

// scheduleEverySecond starts a scheduler running the full job name every
// second; it is stopped when the test ends (Stop may also be called earlier).
func scheduleEverySecond(t *testing.T, r *Runner, name string) *Scheduler {
	t.Helper()
	job := fullJob(name)
	job.Schedule = "@every 1s"
	s, err := NewScheduler(r, []config.Job{job}, time.UTC, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

func countStatus(runs []Run, status string) int {
	n := 0
	for _, r := range runs {
		if r.Status == status {
			n++
		}
	}
	return n
}

func TestSchedulesParsedAtConfigLoad(t *testing.T) {
	t.Parallel()
	good := []string{"@daily", "@every 1s", "@every 1h30m", "*/5 * * * *", "0 30 2 * * *", "CRON_TZ=Asia/Shanghai 0 30 2 * * *", "CRON_TZ=UTC 0 30 2 * * *"}
	for _, s := range good {
		if _, err := config.Parse([]byte("jobs:\n  - name: j\n    schedule: \""+s+"\"\n"), t.TempDir()); err != nil {
			t.Errorf("schedule %q rejected: %v", s, err)
		}
	}
	bad := []string{"61 * * * *", "@sometimes", "* * *", "CRON_TZ=Mars/Base 0 30 2 * * *", "0 0 25 * * *"}
	for _, s := range bad {
		_, err := config.Parse([]byte("timezone: UTC\njobs:\n  - name: ok\n  - name: j\n    schedule: \""+s+"\"\n"), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), s) {
			t.Errorf("schedule %q: want an error naming line 4 and the schedule, got %v", s, err)
		}
	}
	_, err := config.Parse([]byte("jobs:\n  - name: j\n    steps: [ingest, publish_all]\n"), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), `unknown step "publish_all"`) {
		t.Errorf("unknown step: %v", err)
	}
	// CRON_TZ works from the compiled-in zone database: 02:30 in Shanghai is 18:30 UTC the day before.
	s, err := config.CronParser.Parse("CRON_TZ=Asia/Shanghai 0 30 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	next := s.Next(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).UTC()
	if want := time.Date(2025, 1, 1, 18, 30, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next = %s, want %s", next, want)
	}
}

func TestInterruptedRunMarkedFailed(t *testing.T) {
	t.Parallel()
	cfg, w := openSmall(t)
	ctx := context.Background()
	// A run row left behind by a process that died mid-run.
	if _, err := w.DB().ExecContext(ctx, sqlRunStart, "dead-run", "daily", TriggerSchedule, time.Now(), 999999, "elsewhere", 1, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := runsOf(t, w, "daily"); len(got) != 1 || got[0].Status != StatusRunning {
		t.Fatalf("setup: %+v", got)
	}
	if _, err := NewRunner(ctx, w, cfg); err != nil {
		t.Fatal(err)
	}
	got := runsOf(t, w, "daily")
	if len(got) != 1 || got[0].Status != StatusFailed || !strings.Contains(got[0].Error, "interrupted") || !got[0].FinishedAt.Valid {
		t.Fatalf("left-over run not marked failed (interrupted): %+v", got)
	}
}

// TestNoOverlapSlowJobEverySecond schedules a job every second whose run
// blocks until the test has seen ticks skipped; no two runs ever overlap.
func TestNoOverlapSlowJobEverySecond(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	release := make(chan struct{})
	var inFlight, maxInFlight, calls atomic.Int32
	r.beforeStep = func(ctx context.Context, step string) error {
		if step != "transform" {
			return nil
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		if n > maxInFlight.Load() {
			maxInFlight.Store(n)
		}
		if calls.Add(1) == 1 {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	s := scheduleEverySecond(t, r, "slow")
	waitFor(t, 20*time.Second, "two skipped ticks while the first run is blocked", func() bool {
		return countStatus(runsOf(t, w, "slow"), StatusSkipped) >= 2
	})
	runs := runsOf(t, w, "slow")
	if n := countStatus(runs, StatusRunning); n != 1 {
		t.Fatalf("%d runs in progress, want 1: %+v", n, runs)
	}
	for _, x := range runs {
		if x.Status == StatusSkipped && (!strings.Contains(x.Error, "still running") || x.Trigger != TriggerSchedule) {
			t.Fatalf("skipped run without reason: %+v", x)
		}
	}
	close(release)
	waitFor(t, 20*time.Second, "a second successful run", func() bool {
		return countStatus(runsOf(t, w, "slow"), StatusSucceeded) >= 2
	})
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if maxInFlight.Load() != 1 {
		t.Fatalf("%d runs were in flight at once", maxInFlight.Load())
	}
	// The recorded runs (skips aside) never overlap in time.
	var prevEnd time.Time
	for _, x := range runsOf(t, w, "slow") {
		if x.Status == StatusSkipped {
			continue
		}
		if !x.FinishedAt.Valid {
			t.Fatalf("run %s not finished after Stop", x.RunID)
		}
		if x.StartedAt.Before(prevEnd) {
			t.Fatalf("run %s started at %s before the previous one ended at %s", x.RunID, x.StartedAt, prevEnd)
		}
		prevEnd = x.FinishedAt.Time
	}
}

// TestPanickingJobRunsAgain: a run that panics is recorded as failed and the
// job runs again at its next tick (Recover sits inside SkipIfStillRunning).
func TestPanickingJobRunsAgain(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	var calls atomic.Int32
	r.beforeStep = func(ctx context.Context, step string) error {
		if step == "evaluate" && calls.Add(1) == 1 {
			panic("boom in evaluate")
		}
		return nil
	}
	s := scheduleEverySecond(t, r, "panicky")
	waitFor(t, 20*time.Second, "a successful run after the panic", func() bool {
		return countStatus(runsOf(t, w, "panicky"), StatusSucceeded) >= 1
	})
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	runs := runsOf(t, w, "panicky")
	if runs[0].Status != StatusFailed || !strings.Contains(runs[0].Error, "panic: boom in evaluate") {
		t.Fatalf("first run should be failed with the panic: %+v", runs[0])
	}
	if r.Running("panicky") != "" {
		t.Fatal("job still marked running after the panic")
	}
}

func TestRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	ctx := context.Background()
	var calls atomic.Int32
	r.beforeStep = func(ctx context.Context, step string) error {
		if step == "transform" && calls.Add(1) <= 2 {
			return errors.New("source system not ready")
		}
		return nil
	}
	job := fullJob("flaky")
	job.Retries = 3
	job.RetryBackoff.Duration = 50 * time.Millisecond
	res, err := r.Run(ctx, job, TriggerManual)
	if err != nil || res.Status != StatusSucceeded || res.Attempt != 3 {
		t.Fatalf("want success at attempt 3, got %+v %v", res, err)
	}
	runs := runsOf(t, w, "flaky")
	if len(runs) != 3 {
		t.Fatalf("want 3 recorded attempts, got %d", len(runs))
	}
	for i, x := range runs {
		want := StatusFailed
		if i == 2 {
			want = StatusSucceeded
		}
		if x.Attempt != i+1 || x.Status != want {
			t.Fatalf("attempt %d: %+v", i+1, x)
		}
	}
	if !strings.Contains(runs[0].Error, "transform: source system not ready") {
		t.Fatalf("error text: %q", runs[0].Error)
	}
	// Backoff doubles: >= 50ms before attempt 2, >= 100ms before attempt 3.
	if gap := runs[1].StartedAt.Sub(runs[0].FinishedAt.Time); gap < 50*time.Millisecond {
		t.Fatalf("first backoff %s < 50ms", gap)
	}
	if gap := runs[2].StartedAt.Sub(runs[1].FinishedAt.Time); gap < 100*time.Millisecond {
		t.Fatalf("second backoff %s < 100ms", gap)
	}

	// Retries exhausted: the last failure is returned and recorded.
	calls.Store(-10)
	job.Name, job.Retries = "hopeless", 1
	res, err = r.Run(ctx, job, TriggerManual)
	if err == nil || res.Status != StatusFailed || res.Attempt != 2 || len(runsOf(t, w, "hopeless")) != 2 {
		t.Fatalf("want failure after 2 attempts: %+v %v", res, err)
	}
}

// TestTimeoutInterruptsDuckDB: a query running past the job's timeout is
// interrupted; the run is recorded failed with the timeout.
func TestTimeoutInterruptsDuckDB(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	ctx := context.Background()
	r.beforeStep = func(ctx context.Context, step string) error {
		if step == "evaluate" {
			var n int64
			return w.DB().QueryRowContext(ctx, heavySQL).Scan(&n)
		}
		return nil
	}
	job := fullJob("bounded")
	job.Timeout.Duration = 300 * time.Millisecond
	res, err := r.Run(ctx, job, TriggerManual)
	if err == nil || res.Status != StatusFailed || !strings.Contains(err.Error(), "timed out after 300ms") {
		t.Fatalf("want timeout failure, got %+v %v", res, err)
	}
	runs := runsOf(t, w, "bounded")
	if len(runs) != 1 || runs[0].Status != StatusFailed || !strings.Contains(runs[0].Error, "timed out") {
		t.Fatalf("recorded: %+v", runs)
	}
}

// TestCancelledRunRecordedAndResultsKept: cancelling the context mid-run
// (what SIGTERM does) interrupts DuckDB, records the run cancelled and keeps
// the previously published results.
func TestCancelledRunRecordedAndResultsKept(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	ctx := context.Background()
	if _, err := r.Run(ctx, fullJob("daily"), TriggerManual); err != nil {
		t.Fatal(err)
	}
	before := fingerprintTables(t, w)
	cctx, cancel := context.WithCancel(ctx)
	inQuery := make(chan struct{})
	r.beforeStep = func(ctx context.Context, step string) error {
		if step == "publish" {
			close(inQuery)
			var n int64
			return w.DB().QueryRowContext(ctx, heavySQL).Scan(&n)
		}
		return nil
	}
	go func() { <-inQuery; cancel() }()
	res, err := r.Run(cctx, fullJob("daily"), TriggerSchedule)
	if err == nil || res.Status != StatusCancelled {
		t.Fatalf("want cancelled, got %+v %v", res, err)
	}
	runs := runsOf(t, w, "daily")
	if last := runs[len(runs)-1]; last.Status != StatusCancelled || !last.FinishedAt.Valid || last.Trigger != TriggerSchedule {
		t.Fatalf("recorded: %+v", last)
	}
	if after := fingerprintTables(t, w); after != before {
		t.Fatalf("published results changed by a cancelled run:\n%s\n%s", before, after)
	}
}

// fingerprintTables summarises the published tables.
func fingerprintTables(t *testing.T, w *warehouse.Warehouse) string {
	t.Helper()
	var s string
	err := w.DB().QueryRowContext(context.Background(), `
		SELECT (SELECT count(*) FROM conversion_paths)::VARCHAR || '/' ||
		       (SELECT round(sum(credit), 9) FROM attribution_credits)::VARCHAR || '/' ||
		       (SELECT count(*) FROM channel_performance)::VARCHAR || '/' ||
		       (SELECT round(sum(spend), 6) FROM channel_performance)::VARCHAR`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExportSnapshots(t *testing.T) {
	t.Parallel()
	cfg, w := openSmall(t)
	ctx := context.Background()
	cfg.Export = config.Export{Dir: "out", Tables: []string{"channel_performance", "conversion_paths"}, Formats: []string{"parquet", "csv"}}
	r, err := NewRunner(ctx, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	job := fullJob("exporting")
	job.Steps = append(job.Steps, "export")
	res, err := r.Run(ctx, job, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Exported) != 4 {
		t.Fatalf("exported %v", res.Exported)
	}
	dir := filepath.Join(cfg.Dir, "out")
	for _, table := range cfg.Export.Tables {
		var want int64
		if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM "+warehouse.QuoteIdent(table)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if want == 0 {
			t.Fatalf("%s is empty; the test would prove nothing", table)
		}
		for reader, file := range map[string]string{"read_parquet": table + ".parquet", "read_csv": table + ".csv"} {
			var got int64
			if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM "+reader+"(?)", filepath.Join(dir, file)).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s has %d rows, table %d", file, got, want)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("export folder holds %v, want exactly the 4 snapshots (no temp files)", names)
	}
	// A failing export (unknown table) fails the run but leaves the snapshots.
	cfg.Export.Tables = []string{"channel_performance", "no_such_table"}
	res, err = r.Run(ctx, job, TriggerManual)
	if err == nil || res.Status != StatusFailed || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("want export failure, got %+v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "conversion_paths.parquet")); err != nil {
		t.Fatal(err)
	}
}

// TestBackfillOneDay: new spend arrives for two days; a backfill of one of
// them replaces that day's channel_performance rows only.
func TestBackfillOneDay(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	cfg, ctx := r.Cfg, context.Background()
	if _, err := r.Run(ctx, fullJob("daily"), TriggerManual); err != nil {
		t.Fatal(err)
	}
	spendOn := func(day string) float64 {
		var v sql.NullFloat64
		if err := w.DB().QueryRowContext(ctx, `SELECT sum(spend)::DOUBLE FROM channel_performance
			WHERE date = CAST(? AS DATE) AND conversion_type = '(all)' AND model = 'last_touch'`, day).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v.Float64
	}
	rowsOutside := func() string {
		var s string
		if err := w.DB().QueryRowContext(ctx, `SELECT count(*)::VARCHAR || '/' || coalesce(round(sum(spend), 6), 0)::VARCHAR || '/' || coalesce(round(sum(conversions), 9), 0)::VARCHAR
			FROM channel_performance WHERE date <> DATE '2025-01-01'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	d1, d2 := spendOn("2025-01-01"), spendOn("2025-01-02")
	if d1 == 0 || d2 == 0 {
		t.Fatalf("setup: spend on 2025-01-01 = %v, 2025-01-02 = %v", d1, d2)
	}
	outside := rowsOutside()
	var pathsBefore int64
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM conversion_paths").Scan(&pathsBefore); err != nil {
		t.Fatal(err)
	}

	// Late spend for both days (columns date,source,medium,campaign,channel,spend).
	spendPath := filepath.Join(cfg.Dir, "data", "spend.csv")
	writeFile(t, spendPath, append(readFile(t, spendPath), "2025-01-01,google,cpc,brand,,55\n2025-01-02,facebook,cpc,spring,,77\n"...))
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	res, err := r.Backfill(ctx, fullJob("daily"), day, day)
	if err != nil || res.Status != StatusSucceeded {
		t.Fatalf("backfill: %+v %v", res, err)
	}
	if got := spendOn("2025-01-01"); got != d1+55 {
		t.Fatalf("backfilled day: spend %v, want %v", got, d1+55)
	}
	if got := spendOn("2025-01-02"); got != d2 {
		t.Fatalf("day outside the range changed: spend %v, want %v", got, d2)
	}
	if got := rowsOutside(); got != outside {
		t.Fatalf("rows outside the range changed: %s -> %s", outside, got)
	}
	var pathsAfter int64
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM conversion_paths").Scan(&pathsAfter); err != nil {
		t.Fatal(err)
	}
	if pathsAfter != pathsBefore {
		t.Fatalf("conversion_paths %d -> %d", pathsBefore, pathsAfter)
	}
	// Credits still sum to one per converting path after the range replace.
	var bad int64
	if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT conversion_id, model, sum(credit) s FROM attribution_credits GROUP BY ALL) WHERE abs(s - 1) > 1e-9`).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("credits not summing to 1: %d %v", bad, err)
	}
	runs := runsOf(t, w, "daily")
	if last := runs[len(runs)-1]; last.Trigger != TriggerBackfill || last.RangeFrom != "2025-01-01" || last.RangeTo != "2025-01-01" {
		t.Fatalf("backfill run recorded as %+v", last)
	}
	var leftovers int
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '_next_')").Scan(&leftovers); err != nil || leftovers != 0 {
		t.Fatalf("%d _next_ tables left after the backfill (%v)", leftovers, err)
	}
	if res.Transform.Mode != transform.ModeFull {
		t.Fatalf("backfill transform ran %q, want full", res.Transform.Mode)
	}
	// The next run is full (the published rows outside the range are older
	// than what the backfill stitched) and brings the other day up to date.
	next, err := r.Run(ctx, fullJob("daily"), TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	if next.Transform.Mode != transform.ModeFull {
		t.Fatalf("run after a backfill: transform %q, want full", next.Transform.Mode)
	}
	if got := spendOn("2025-01-02"); got != d2+77 {
		t.Fatalf("after a full run: spend %v, want %v", got, d2+77)
	}
	if _, err := r.Backfill(ctx, fullJob("daily"), day.AddDate(0, 0, 1), day); err == nil {
		t.Fatal("a backfill with --to before --from must fail")
	}
}

func TestMetricsText(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	start := time.Unix(1_700_000_000, 0)
	m.Observe(RunResult{Job: "daily", Status: StatusSucceeded, RowsIn: 10, RowsOut: 4, Started: start, Duration: 3 * time.Second})
	m.Observe(RunResult{Job: "daily", Status: StatusFailed, RowsIn: 2, Started: start, Duration: 90 * time.Second})
	m.Observe(RunResult{Job: "daily", Status: StatusSkipped})
	var b strings.Builder
	if err := m.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`attrib_job_runs_total{job="daily",status="succeeded"} 1`,
		`attrib_job_runs_total{job="daily",status="skipped"} 1`,
		`attrib_job_failures_total{job="daily"} 1`,
		`attrib_job_run_duration_seconds_bucket{job="daily",le="5"} 1`,
		`attrib_job_run_duration_seconds_bucket{job="daily",le="120"} 2`,
		`attrib_job_run_duration_seconds_bucket{job="daily",le="+Inf"} 2`,
		`attrib_job_run_duration_seconds_sum{job="daily"} 93`,
		`attrib_job_rows_total{direction="in",job="daily"} 12`,
		`attrib_job_last_rows{direction="out",job="daily"} 4`,
		`attrib_job_last_success_timestamp_seconds{job="daily"} 1.700000003e+09`,
		"# TYPE attrib_job_run_duration_seconds histogram",
	} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

// TestModesOnOneRunner: one runner (as under attrib serve, with pooled
// connections keeping their temp tables and views between runs) switches
// between full and incremental runs without tripping over what an earlier
// run left on a connection.
func TestModesOnOneRunner(t *testing.T) {
	t.Parallel()
	r, _ := opsRunner(t)
	ctx := context.Background()
	want := []string{transform.ModeFull, transform.ModeIncremental, transform.ModeFull, transform.ModeIncremental}
	for i, mode := range want {
		run := r.Run
		if i == 2 {
			run = r.RunFull
		}
		res, err := run(ctx, fullJob("daily"), TriggerManual)
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		if res.Transform.Mode != mode {
			t.Fatalf("run %d: transform %q (%s), want %q", i+1, res.Transform.Mode, res.Transform.FullReason, mode)
		}
	}
}

// heldRun marks the context of a run that TestSchedulerReleasesMemoryWhenIdle holds.
type heldRun struct{}

// TestSchedulerReleasesMemoryWhenIdle: after a scheduled run the scheduler hands back the freed
// memory the warehouse keeps, but not while another job's run is still going.
func TestSchedulerReleasesMemoryWhenIdle(t *testing.T) {
	t.Parallel()
	r, w := opsRunner(t)
	entered, hold := make(chan struct{}), make(chan struct{})
	r.beforeStep = func(ctx context.Context, step string) error {
		if ctx.Value(heldRun{}) == nil || step != "transform" {
			return nil
		}
		close(entered)
		select {
		case <-hold:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	manual := make(chan struct{})
	go func() {
		defer close(manual)
		_, _ = r.Run(context.WithValue(context.Background(), heldRun{}, true), fullJob("manual"), TriggerManual)
	}()
	<-entered
	var released atomic.Int32
	job := fullJob("sched")
	job.Schedule = "@every 1s"
	s, err := NewScheduler(r, []config.Job{job}, time.UTC, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.release = func() { released.Add(1) }
	s.Start()
	defer s.Stop(context.Background())
	finished := func() int {
		n := 0
		for _, x := range runsOf(t, w, "sched") {
			if x.Status != StatusRunning && x.Status != StatusSkipped {
				n++
			}
		}
		return n
	}
	// The second run starts only after the first one's scheduled call has returned, release
	// decision included (SkipIfStillRunning).
	waitFor(t, 30*time.Second, "two finished scheduled runs while the manual run is held", func() bool { return finished() >= 2 })
	if n := released.Load(); n != 0 {
		t.Fatalf("memory released %d times while the manual run was going", n)
	}
	close(hold)
	// Its outcome does not matter here (it may meet a scheduled run's write and fail); only
	// that it has ended.
	<-manual
	waitFor(t, 30*time.Second, "a release after a scheduled run with nothing else running", func() bool { return released.Load() >= 1 })
}
