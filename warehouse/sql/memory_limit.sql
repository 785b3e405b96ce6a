-- DuckDB's memory_limit as it prints it ("1.8 GiB"), read by PassesOn.
SELECT current_setting('memory_limit')
