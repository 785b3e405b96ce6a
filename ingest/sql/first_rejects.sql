-- The first few problems of a file, for messages.
SELECT line, field, reason FROM allrej ORDER BY line LIMIT 3
