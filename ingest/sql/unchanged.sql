-- A file loaded before (or skipped as a copy of loaded content) whose path,
-- size and modification time are as they were then: it is skipped without
-- being read again. Only when its modification time was at least a second
-- before that load began: a file rewritten within the same tick of the file
-- system's clock as it was read could keep both (git's "racy clean" case).
SELECT load_id FROM ingest_files
WHERE path = ? AND dataset = ? AND size = ? AND epoch_us(modified_at) = ?
  AND sha256 IS NOT NULL AND status IN ('loaded', 'skipped')
  AND modified_at < started_at - INTERVAL 1 SECOND
ORDER BY started_at DESC
LIMIT 1
