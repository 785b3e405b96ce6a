-- The conversions that get paths and credits: stitched, and dated (in the configured time zone)
-- within attribution.conversion_window_start..conversion_window_end when those are set.
-- Parameters: window start date or NULL, window end date or NULL.
CREATE OR REPLACE TEMP TABLE attributed_conversions AS
WITH w AS (SELECT ?::DATE AS lo, ?::DATE AS hi)
SELECT c.*
FROM conversions c, w
WHERE c.person_id IS NOT NULL
  AND (w.lo IS NULL OR c.occurred_at::DATE >= w.lo)
  AND (w.hi IS NULL OR c.occurred_at::DATE <= w.hi)
