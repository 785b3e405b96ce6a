-- Tables and views people can read, with their columns (work tables of a
-- running pipeline, _next_*, are left out).
SELECT t.table_name, t.kind, t.estimated_size, c.column_name, c.data_type
FROM (
    SELECT table_name, 'table' AS kind, estimated_size, table_oid AS oid
    FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary AND NOT internal
    UNION ALL
    SELECT view_name, 'view', NULL, view_oid
    FROM duckdb_views() WHERE schema_name = 'main' AND NOT temporary AND NOT internal
) t
JOIN duckdb_columns() c ON c.table_oid = t.oid
WHERE t.table_name NOT LIKE '\_next\_%' ESCAPE '\'
ORDER BY t.table_name, c.column_index
