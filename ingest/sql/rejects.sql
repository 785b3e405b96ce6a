-- Moves the file's bad rows to rejected_rows with the raw record (email and phone masked).
INSERT INTO rejected_rows (load_id, source, path, line, field, reason, raw)
SELECT ?, ?, ?, line, field, reason, raw
FROM allrej
ORDER BY line
