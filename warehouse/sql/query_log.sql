-- DuckDB's query log of this instance, as CSV files in the folder bound as the parameter
-- (Options.QueryLog): every statement with the time it started.
CALL enable_logging('QueryLog', storage = 'file', storage_path = ?)
