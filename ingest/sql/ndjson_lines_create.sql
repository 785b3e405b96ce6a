-- The physical lines (1-based) of an NDJSON file that hold a rejected object's text, filled from Go
-- (ndjsonrejects.go).
CREATE OR REPLACE TEMP TABLE ndjlines (text VARCHAR, line BIGINT)
