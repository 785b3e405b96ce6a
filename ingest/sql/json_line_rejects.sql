-- NDJSON lines that could not be read (not JSON, not UTF-8), one rejected row each with its physical line,
-- field json, the reason and the line masked in Go; rec is NULL because the other rows already carry their
-- physical line (no shift in all_rejects.sql).
CREATE OR REPLACE TEMP TABLE csvrej AS
SELECT line, NULL::BIGINT AS rec, 'json' AS field, reason, raw
FROM attrib_arrow_src
WHERE reason IS NOT NULL AND json IS NULL -- json: true by construction; the scan must read all the view's columns
