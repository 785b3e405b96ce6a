-- When each job last finished successfully, for the last-success metric after a restart.
SELECT job, max(finished_at) FROM pipeline_runs WHERE status = 'succeeded' GROUP BY job
