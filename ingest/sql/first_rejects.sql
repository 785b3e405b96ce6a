-- The first few problems of a file, for messages.
SELECT __line, __field, __reason FROM typed WHERE __reason IS NOT NULL ORDER BY __line LIMIT 3
