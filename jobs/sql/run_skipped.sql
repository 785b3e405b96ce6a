-- Records a run that did not start because the job was still running (status skipped).
INSERT INTO pipeline_runs (run_id, job, trigger, started_at, finished_at, status, error, pid, host, attempt)
VALUES (?, ?, ?, ?, ?, 'skipped', ?, ?, ?, 1)
