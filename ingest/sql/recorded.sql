-- Whether this file (path and content) already has a row in ingest_files: a
-- file seen again is skipped without a new row.
SELECT count(*) FROM ingest_files WHERE path = ? AND sha256 = ? AND dataset = ?
