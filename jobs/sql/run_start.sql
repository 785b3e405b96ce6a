-- Records the start of a run (one row per attempt; range_from/range_to only for backfills).
INSERT INTO pipeline_runs (run_id, job, trigger, started_at, status, pid, host, attempt, range_from, range_to)
VALUES (?, ?, ?, ?, 'running', ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE))
