-- What sizes the passes of eval_person.sql.tmpl: DuckDB's memory_limit as it prints it and the identifiers
-- of identity_map (people have about two each).
SELECT current_setting('memory_limit'), (SELECT count(*) FROM identity_map)
