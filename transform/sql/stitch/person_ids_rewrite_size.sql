-- What sizes a rewrite's passes: DuckDB's memory_limit as it prints it ("1.8 GiB") and the identifiers
-- of identity_map.
SELECT current_setting('memory_limit'), (SELECT count(*) FROM identity_map)
