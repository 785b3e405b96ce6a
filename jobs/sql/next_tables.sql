-- Result tables under construction (_next_ names) left behind by a run that died before
-- publishing; they are dropped before a run builds its own.
SELECT table_name FROM duckdb_tables()
WHERE schema_name = 'main' AND NOT temporary AND starts_with(table_name, '_next_')
ORDER BY table_name
