-- Every rejected row of the file with its line: validation rejects (their record number shifted past
-- earlier unreadable records, plus the header lines) and the unreadable records themselves. For CSV,
-- the physical lines found by a scan of the file (csvmap) take precedence over those numbers.
CREATE OR REPLACE TEMP TABLE allrej AS
WITH gaps AS (
    -- Good records before the j-th unreadable record: rec_j - j (non-decreasing).
    SELECT rec - row_number() OVER (ORDER BY rec) AS good_before FROM csvrej
)
SELECT coalesce(m.physical, t.__line + ? + (SELECT count(*) FROM gaps g WHERE g.good_before < t.__line)) AS line,
       t.__field AS field, t.__reason AS reason, r.raw
FROM typedrej t
LEFT JOIN rawrej r USING (__line)
LEFT JOIN csvmap m ON m.kind = 'rec' AND m.key = t.__line
UNION ALL
SELECT coalesce(m.physical, c.line), c.field, c.reason, c.raw
FROM csvrej c
LEFT JOIN csvmap m ON m.kind = 'logical' AND m.key = c.line
