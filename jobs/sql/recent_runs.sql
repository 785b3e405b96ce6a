-- The most recent runs, newest first.
SELECT run_id, job, trigger, started_at, finished_at, status, rows_in, rows_out, coalesce(error, '')
FROM pipeline_runs
ORDER BY started_at DESC
LIMIT ?
