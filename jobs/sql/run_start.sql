-- Records the start of a run.
INSERT INTO pipeline_runs (run_id, job, trigger, started_at, status, pid, host)
VALUES (?, ?, ?, ?, 'running', ?, ?)
