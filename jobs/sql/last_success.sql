-- Each job's last successful run: when it finished and its rows, for the last-success and last-rows
-- metrics after a restart.
SELECT job, finished_at, coalesce(rows_in, 0), coalesce(rows_out, 0)
FROM pipeline_runs
WHERE status = 'succeeded'
QUALIFY row_number() OVER (PARTITION BY job ORDER BY finished_at DESC NULLS LAST, started_at DESC, run_id DESC) = 1
