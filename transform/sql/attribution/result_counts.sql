-- Conversions and credit rows in the results built.
SELECT (SELECT count(*) FROM all_paths), (SELECT count(*) FROM all_credits)
