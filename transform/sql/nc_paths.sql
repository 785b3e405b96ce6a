-- Non-converting paths of every person, built once for all conversion types: their touches
-- within the lookback before their last touch, for each distinct lookback in use. With a
-- conversion window, touches after its end date are left out.
-- Parameter: window end date or NULL.
CREATE OR REPLACE TEMP TABLE nc_paths AS
WITH w AS (SELECT ?::DATE AS hi),
wt AS (
    SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid
    FROM touches t JOIN channel_ids ci USING (channel), w
    WHERE w.hi IS NULL OR t.occurred_at::DATE <= w.hi
),
lt AS (SELECT person_id, max(occurred_at) AS last_at FROM wt GROUP BY person_id),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
-- (list_sort over (time, touch id, channel id) structs instead of an ordered aggregate: same order,
-- much faster.)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
