-- Conversions and credit rows in the results built.
SELECT (SELECT count(*) FROM _next_conversion_paths), (SELECT count(*) FROM all_credits)
