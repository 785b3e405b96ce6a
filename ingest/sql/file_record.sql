-- Records one file's outcome in ingest_files. finished_at is bound: DuckDB's now() is when the transaction
-- began, before the file's rows were written.
INSERT INTO ingest_files (load_id, source, dataset, path, size, sha256, modified_at, status,
    rows_read, rows_loaded, rows_rejected, rows_duplicate, started_at, finished_at, message)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
