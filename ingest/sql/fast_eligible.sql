-- Whether a large file tries the fast path ($1 its path, $2 its source): not when the same path was loaded
-- before (a new version of a file repeats most of its rows), nor when the source's latest load had rejected
-- or duplicate rows (its next file likely has some too, and the fast path would only be refused).
-- ingest_files only ever gets rows appended: its last row of a source is that source's latest load.
SELECT NOT EXISTS (SELECT 1 FROM ingest_files WHERE path = $1 AND status = 'loaded')
       AND coalesce((SELECT rows_rejected + rows_duplicate = 0 FROM ingest_files
                     WHERE source = $2 AND status = 'loaded' ORDER BY rowid DESC LIMIT 1), true)
