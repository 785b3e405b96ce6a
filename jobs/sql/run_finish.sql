-- Records the end of a run: status, row counts, error and per-step timings (JSON).
UPDATE pipeline_runs
SET finished_at = ?, status = ?, rows_in = ?, rows_out = ?, error = ?, steps = ?
WHERE run_id = ?
