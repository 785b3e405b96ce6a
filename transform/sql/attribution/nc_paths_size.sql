-- What sizes the passes of nonconverting_paths.sql.tmpl: DuckDB's memory_limit as it prints it and
-- the touches there are.
SELECT current_setting('memory_limit'), (SELECT count(*) FROM touches)
