-- Each person's acquisition: their first conversion of the acquisition type (earliest, ties by conversion id)
-- and its acquisition channel, the channel with the largest credit under the acquisition model (ties go to
-- the alphabetically first channel; a conversion without touches is credited to (unattributed)), with the
-- person's window limits computed once (calendar arithmetic in the time zone is costly per activity row):
-- activation_end, retention_from..retention_at (the active_days up to retention_months after acquisition)
-- and ltv_end (acquisition + ltv_months, exclusive).
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
)
SELECT (row_number() OVER (ORDER BY f.person_id))::INTEGER AS pid,
       f.person_id, f.conversion_id, f.acquired_at, z.day AS acquired_day, f.revenue,
       coalesce(ch.channel, p.unattributed) AS acquisition_channel, coalesce(ch.channel_group, 'online') AS channel_group,
       f.acquired_at + to_days(p.activation_days) AS activation_end,
       f.acquired_at + to_months(p.retention_months) - to_days(p.active_days) AS retention_from,
       f.acquired_at + to_months(p.retention_months) AS retention_at,
       f.acquired_at + to_months(p.ltv_months) AS ltv_end
FROM firsts f CROSS JOIN p
JOIN eval_days z ON z.q = epoch_us(f.acquired_at) // 900000000
LEFT JOIN chan ch USING (conversion_id)
