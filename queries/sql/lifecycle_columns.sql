-- The published lifecycle table's columns, in order: an incremental evaluation publishes only changed
-- rows into it when they are the columns the catalogue describes (no upgrade changed the table since).
SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'lifecycle' ORDER BY column_index
