// Package jobs runs the pipeline: a job's steps (ingest, transform,
// evaluate) on one warehouse, recorded in pipeline_runs with per-step
// durations and row counts. A run that fails or is cancelled leaves the
// previously published results intact, because results are published in one
// transaction at the very end. Runs left "running" by a dead process are
// marked failed (interrupted) when the next runner starts.
package jobs
