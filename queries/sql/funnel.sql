-- Period x first-touch channel x stage. A person enters in the period of their first touch, under that
-- touch's channel (where they were reached); persons without any touch are not in the funnel. Stages are
-- nested: each counts the people who reached it and every stage before it, so rates never exceed 1.
--   1 reached    has a touch
--   2 converted  has an acquisition conversion (first conversion of the acquisition type)
--   3 activated  activity within activation_days after that conversion
--   4 active     activity in the active_days up to as_of
--   5 retained   active retention_months after the conversion (only once that point is on or before as_of)
-- rate_from_previous = persons / persons of the previous stage, rate_from_first = persons / reached; NULL
-- when the divisor is 0. Channel '(all)' sums all channels of the period.
CREATE TABLE _next_funnel AS
WITH p AS (SELECT * FROM eval_params),
depth AS (
    SELECT date_trunc(p.period, e.first_touch_day)::DATE AS period_start, e.first_touch_channel AS channel,
           CASE WHEN e.acquired_at IS NULL THEN 1
                WHEN NOT e.activated THEN 2
                WHEN NOT e.active_now THEN 3
                WHEN NOT e.retained THEN 4
                ELSE 5 END AS depth
    FROM eval_person e, p
    WHERE e.first_touch_at IS NOT NULL
),
-- People per period, channel and depth (a few thousand groups where the people are millions); '(all)' adds
-- the channels' counts up (each person has one first-touch channel).
by_depth AS (
    SELECT period_start, channel, depth, count(*) AS n FROM depth GROUP BY ALL
),
all_rows AS (
    SELECT period_start, channel, depth, n FROM by_depth
    UNION ALL
    SELECT period_start, '(all)', depth, sum(n) FROM by_depth GROUP BY ALL
),
stages(stage_order, stage) AS (
    VALUES (1, 'reached'), (2, 'converted'), (3, 'activated'), (4, 'active'), (5, 'retained')
),
counts AS (
    SELECT b.period_start, b.channel, s.stage_order, s.stage,
           coalesce(sum(b.n) FILTER (WHERE b.depth >= s.stage_order), 0)::BIGINT AS persons
    FROM all_rows b, stages s
    GROUP BY ALL
)
SELECT period_start, channel, stage, stage_order, persons,
       persons / nullif(lag(persons) OVER w, 0) AS rate_from_previous,
       persons / nullif(first_value(persons) OVER w, 0) AS rate_from_first
FROM counts
WINDOW w AS (PARTITION BY period_start, channel ORDER BY stage_order)
ORDER BY period_start, channel, stage_order
