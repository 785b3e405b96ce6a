-- Run history: the 20 most recent runs.
SELECT run_id, job, status, started_at, finished_at,
       date_diff('millisecond', started_at, finished_at) / 1000.0 AS seconds,
       rows_in, rows_out, error
FROM pipeline_runs
ORDER BY started_at DESC
LIMIT 20
