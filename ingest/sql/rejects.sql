-- Moves the file's bad rows to rejected_rows with the raw record (email and phone masked).
INSERT INTO rejected_rows (load_id, source, path, line, field, reason, raw)
SELECT ?, ?, ?, t.__line + ?, t.__field, t.__reason, r.raw
FROM typed t
LEFT JOIN rawrej r USING (__line)
WHERE t.__reason IS NOT NULL
ORDER BY t.__line
