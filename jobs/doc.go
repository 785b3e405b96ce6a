// Package jobs runs the pipeline unattended: a job's steps (ingest,
// transform, evaluate, publish, export) on one warehouse, recorded in
// pipeline_runs with trigger, attempt, per-step durations and row counts.
//
//   - A run is a pipeline of stages (stage.go, one stage_<name>.go each:
//     ingest, transform, evaluate, incrementality, publish, export), each
//     declaring the tables it reads and builds; the pipeline is checked
//     before it runs. One Session per attempt (session.go) owns the shared
//     connection, the state handed between stages, the _next_ tables and
//     their publication. README.md says how to add a table or a stage.
//   - Runner runs a job once, with a timeout and retries with doubling
//     backoff per job (one pipeline_runs row per attempt). Runs of one job
//     never overlap: a second start is recorded as skipped. A cancelled
//     context (SIGTERM) interrupts DuckDB's query and is recorded cancelled;
//     a panic is recorded failed and re-raised.
//   - A run that fails, is cancelled or killed leaves the previously
//     published results intact, because results are built under _next_
//     names and published in one transaction at the very end; leftovers of
//     a dead run are dropped before the next builds. Runs left "running" by
//     a dead process are marked failed (interrupted) by NewRunner.
//   - Runner.Backfill recomputes and replaces only a date range of the
//     date-grained tables (DateGrained) through warehouse.PublishRange.
//   - The export step writes Parquet and CSV snapshots of chosen tables,
//     each to a temporary name renamed into place.
//   - Scheduler runs the scheduled jobs with robfig/cron v3, Recover inside
//     SkipIfStillRunning; Metrics serves Prometheus metrics (client_golang).
//
// The package never logs in normal operation; outcomes go to pipeline_runs,
// Metrics and Hooks.Attempt.
package jobs
