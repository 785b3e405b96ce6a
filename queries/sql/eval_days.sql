-- The local calendar day (in the configured time zone) of every quarter hour from the first to the last
-- event. Queries map a timestamp to its day by joining on epoch_us(ts) // 900000000: every time zone's
-- offset is a whole number of quarter hours, and a join on an integer is several times faster than
-- converting each of tens of millions of timestamps through the time zone rules. The touches' range comes
-- from person_touches (each person's first and last touch), not from every touch.
CREATE OR REPLACE TEMP TABLE eval_days AS
WITH r AS (
    SELECT least((SELECT min(first_touch_at) FROM person_touches), (SELECT min(occurred_at) FROM conversions),
                 (SELECT min(occurred_at) FROM activity)) AS lo,
           greatest((SELECT max(last_touch_at) FROM person_touches), (SELECT max(occurred_at) FROM conversions),
                    (SELECT max(occurred_at) FROM activity)) AS hi
)
SELECT t.q, to_timestamp(t.q * 900)::DATE AS day
FROM r, range(coalesce(epoch_us(r.lo) // 900000000, 0), coalesce(epoch_us(r.hi) // 900000000, -1) + 1) t(q)
