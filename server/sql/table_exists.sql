-- Whether the snapshot has the table or view (attribution_credits is a view over two tables).
SELECT (SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = $1)
     + (SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND view_name = $1)
