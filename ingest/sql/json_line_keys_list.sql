-- The keys collected by json_line_keys.sql, as (name, type); the lines are read as text.
SELECT k, '' FROM jsonkeys
