-- Runs still marked running when a new runner opens the warehouse belong to a dead process
-- (the warehouse admits one process): mark them failed.
UPDATE pipeline_runs
SET status = 'failed', finished_at = now(), error = 'interrupted: the process ended during the run'
WHERE status = 'running'
