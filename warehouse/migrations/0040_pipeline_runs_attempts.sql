-- Jobs (issue 6): which attempt of a job invocation a run row is (retries with
-- backoff write one row per attempt), and the date range of a backfill run.
ALTER TABLE pipeline_runs ADD COLUMN attempt INTEGER DEFAULT 1;
ALTER TABLE pipeline_runs ADD COLUMN range_from DATE;
ALTER TABLE pipeline_runs ADD COLUMN range_to DATE;
