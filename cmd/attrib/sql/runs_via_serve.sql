-- The most recent runs, newest first, as `attrib runs` reads them through a
-- running serve (times as microseconds since the epoch, so JSON keeps them exact).
SELECT run_id, job, trigger, epoch_us(started_at) AS started_us, epoch_us(finished_at) AS finished_us,
       status, rows_in, rows_out, coalesce(error, '') AS error,
       coalesce(attempt, 1) AS attempt, coalesce(CAST(range_from AS VARCHAR), '') AS range_from,
       coalesce(CAST(range_to AS VARCHAR), '') AS range_to, coalesce(steps, '') AS steps
FROM pipeline_runs
ORDER BY started_at DESC, run_id DESC
LIMIT ?
