-- The loads this transform covers: every file loaded so far.
CREATE OR REPLACE TEMP TABLE inc_covered AS
SELECT load_id, rows_loaded FROM ingest_files WHERE status = 'loaded'
