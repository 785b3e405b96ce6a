-- The most recent runs, newest first.
SELECT run_id, job, trigger, started_at, finished_at, status, rows_in, rows_out, coalesce(error, ''),
       coalesce(attempt, 1), coalesce(CAST(range_from AS VARCHAR), ''), coalesce(CAST(range_to AS VARCHAR), ''),
       coalesce(steps, '')
FROM pipeline_runs
ORDER BY started_at DESC, run_id DESC
LIMIT ?
