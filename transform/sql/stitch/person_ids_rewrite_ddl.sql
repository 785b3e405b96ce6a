-- The definition of table $1 of the warehouse's main schema (its CREATE TABLE statement, with types,
-- NOT NULL, defaults and CHECKs): the scratch table of a rewrite is created from it under the name
-- main.stitch_person_ids_rewrite, so that the table keeps its definition when the scratch replaces it.
SELECT sql FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1
