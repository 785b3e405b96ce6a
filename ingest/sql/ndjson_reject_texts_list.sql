-- The rejected objects' texts, for the scan of the file in Go that finds their lines.
SELECT text FROM ndjrej
