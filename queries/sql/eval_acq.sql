-- Each person's acquisition: their first conversion of the acquisition type (earliest, ties by conversion id)
-- and its acquisition channel, the channel with the largest credit under the acquisition model (ties go to
-- the alphabetically first channel; a conversion without touches is credited to (unattributed)), with the
-- person's window limits computed once (calendar arithmetic in the time zone is costly per activity row):
-- activation_end, retention_from..retention_at (the active_days up to retention_months after acquisition)
-- and ltv_end (acquisition + ltv_months, exclusive). pid numbers the people in no particular order: it is a
-- join key of the evaluation's temp tables only (numbering them in person_id order was a sort of 1 s at
-- 18 M people).
-- Parameters: the acquisition type and the acquisition model (evaluation.acquisition_type and
-- acquisition_model, as in eval_params; bound here so that DuckDB reads only that model's credits: through
-- eval_params it also read every data-driven credit, 0.7 s at 18 M people).
-- The calendar steps (acquired_at + to_days(...), + to_months(...), in the time zone) are worked out once
-- per quarter hour in which someone was acquired (steps), not once per person: each step moves every
-- instant of a quarter hour by the same amount, because time zones change their offset only on quarter
-- hours (since 1972 every offset and every DST change is a multiple of 15 minutes), so the quarter's
-- start and any instant in it have the same local date and the same wall time up to the minutes within
-- the quarter, on both sides of the step. At 18 M people that is about 50 k quarter hours instead of 877 k people, four calendar
-- steps each (1.6 s of the statement). TestAcquisitionWindowsFollowTheCalendar compares every person's
-- limits with the calendar arithmetic itself around DST changes and month ends.
CREATE OR REPLACE TEMP TABLE eval_acq AS
WITH p AS (SELECT * FROM eval_params),
firsts AS (
    SELECT c.person_id, min(c.occurred_at) AS acquired_at,
           arg_min_null(c.conversion_id, (c.occurred_at, c.conversion_id)) AS conversion_id,
           coalesce(arg_min_null(c.revenue, (c.occurred_at, c.conversion_id)), 0) AS revenue
    FROM conversions c
    WHERE c.person_id IS NOT NULL AND c.conversion_type = $1
    GROUP BY c.person_id
),
chan AS (
    SELECT conversion_id, arg_min(channel, (-credit, channel)) AS channel,
           arg_min_null(channel_group, (-credit, channel)) AS channel_group
    FROM (
        SELECT a.conversion_id, a.channel, any_value(a.channel_group) AS channel_group, sum(a.credit) AS credit
        FROM all_credits a
        WHERE a.model = $2 AND a.conversion_type = $1
        GROUP BY a.conversion_id, a.channel
    )
    GROUP BY conversion_id
),
steps AS (
    SELECT z.q, z.day,
           epoch_us(s.t + to_days(p.activation_days)) - epoch_us(s.t) AS activation_us,
           epoch_us(s.t + to_months(p.retention_months) - to_days(p.active_days)) - epoch_us(s.t) AS retention_from_us,
           epoch_us(s.t + to_months(p.retention_months)) - epoch_us(s.t) AS retention_us,
           epoch_us(s.t + to_months(p.ltv_months)) - epoch_us(s.t) AS ltv_us
    FROM eval_days z
    CROSS JOIN p
    CROSS JOIN LATERAL (SELECT make_timestamptz(z.q * 900000000) AS t) s
    WHERE z.q IN (SELECT epoch_us(acquired_at) // 900000000 FROM firsts)
)
SELECT (row_number() OVER ())::INTEGER AS pid,
       f.person_id, f.conversion_id, f.acquired_at, z.day AS acquired_day, f.revenue,
       coalesce(ch.channel, p.unattributed) AS acquisition_channel, coalesce(ch.channel_group, 'online') AS channel_group,
       make_timestamptz(epoch_us(f.acquired_at) + z.activation_us) AS activation_end,
       make_timestamptz(epoch_us(f.acquired_at) + z.retention_from_us) AS retention_from,
       make_timestamptz(epoch_us(f.acquired_at) + z.retention_us) AS retention_at,
       make_timestamptz(epoch_us(f.acquired_at) + z.ltv_us) AS ltv_end
FROM firsts f CROSS JOIN p
JOIN steps z ON z.q = epoch_us(f.acquired_at) // 900000000
LEFT JOIN chan ch USING (conversion_id)
