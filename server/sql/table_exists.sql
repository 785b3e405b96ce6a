SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?
