-- Each person's acquisition: their first conversion of the acquisition type (earliest, ties by conversion id)
-- and its acquisition channel, the channel with the largest credit under the acquisition model (ties go to
-- the alphabetically first channel; a conversion without touches is credited to (unattributed)), with the
-- person's window limits computed once (calendar arithmetic in the time zone is costly per activity row):
-- activation_end, retention_from..retention_at (the active_days up to retention_months after acquisition)
-- and ltv_end (acquisition + ltv_months, exclusive).
-- The calendar steps (acquired_at + to_days(...), + to_months(...), in the time zone) are worked out once
-- per quarter hour in which someone was acquired (steps), not once per person: each step moves every
-- instant of a quarter hour by the same amount, because time zones change their offset only on quarter
-- hours (since 1972 every offset and every DST change is a multiple of 15 minutes), so the quarter's start and any instant in
-- it have the same local date and the same wall time up to the minutes within the quarter, on both sides
-- of the step. At 18 M people that is about 50 k quarter hours instead of 877 k people, four calendar
-- steps each (1.6 s of the statement). TestAcquisitionWindowsFollowTheCalendar compares every person's
-- limits with the calendar arithmetic itself around DST changes and month ends.
CREATE OR REPLACE TEMP TABLE eval_acq AS
WITH p AS (SELECT * FROM eval_params),
firsts AS (
    SELECT c.person_id, c.conversion_id, c.occurred_at AS acquired_at, coalesce(c.revenue, 0) AS revenue
    FROM conversions c, p
    WHERE c.person_id IS NOT NULL AND c.conversion_type = p.acquisition_type
    QUALIFY row_number() OVER (PARTITION BY c.person_id ORDER BY c.occurred_at, c.conversion_id) = 1
),
chan AS (
    SELECT a.conversion_id, a.channel, any_value(a.channel_group) AS channel_group, sum(a.credit) AS credit
    FROM all_credits a, p
    WHERE a.model = p.acquisition_model AND a.conversion_type = p.acquisition_type
    GROUP BY a.conversion_id, a.channel
    QUALIFY row_number() OVER (PARTITION BY a.conversion_id ORDER BY sum(a.credit) DESC, a.channel) = 1
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
SELECT (row_number() OVER (ORDER BY f.person_id))::INTEGER AS pid,
       f.person_id, f.conversion_id, f.acquired_at, z.day AS acquired_day, f.revenue,
       coalesce(ch.channel, p.unattributed) AS acquisition_channel, coalesce(ch.channel_group, 'online') AS channel_group,
       make_timestamptz(epoch_us(f.acquired_at) + z.activation_us) AS activation_end,
       make_timestamptz(epoch_us(f.acquired_at) + z.retention_from_us) AS retention_from,
       make_timestamptz(epoch_us(f.acquired_at) + z.retention_us) AS retention_at,
       make_timestamptz(epoch_us(f.acquired_at) + z.ltv_us) AS ltv_end
FROM firsts f CROSS JOIN p
JOIN steps z ON z.q = epoch_us(f.acquired_at) // 900000000
LEFT JOIN chan ch USING (conversion_id)
