-- How many runs have finished successfully (published tables exist after the first).
SELECT count(*) FROM pipeline_runs WHERE status = 'succeeded'
