SELECT count(*)::VARCHAR || '/' || coalesce(max(finished_at)::VARCHAR, '') || '/' || coalesce(max(run_id)::VARCHAR, '')
FROM pipeline_runs
WHERE finished_at IS NOT NULL
