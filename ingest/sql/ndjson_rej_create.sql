-- The rejected objects' content keys and texts, filled from Go as it finds their lines by signature
-- (ndjsonrejects.go); ndjson_reject_texts.sql.tmpl fills the same table from a scan in DuckDB.
CREATE OR REPLACE TEMP TABLE ndjrej (__key UBIGINT, text VARCHAR)
