-- The load that already brought this exact content into this dataset, if any.
SELECT load_id, path FROM ingest_files
WHERE sha256 = ? AND dataset = ? AND status = 'loaded'
ORDER BY started_at
LIMIT 1
