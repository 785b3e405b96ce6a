-- One row per person seen in touches or conversions: first touch, acquisition, activity statistics and the
-- lifetime value within the LTV horizon. Shared by funnel, cohort_retention, channel_roi and lifecycle.
-- Activity counts from the acquisition on (eval_act): people never acquired have none.
--   activated          activity within activation_days after the acquisition conversion
--   retained           retention_months after acquisition is on or before as_of (eligible) and there is
--                      activity in the active_days up to that point
--   recent_events      activity events in the active_days up to as_of (recent_start < time <= as_of)
--   baseline_events    activity events from acquisition up to recent_start
--   lifetime_value     revenue of the person's conversions plus activity value, from acquisition to
--                      acquisition + ltv_months (DECIMAL)
CREATE OR REPLACE TEMP TABLE eval_person AS
WITH p AS (SELECT * FROM eval_params),
people AS (
    SELECT DISTINCT person_id FROM touches
    UNION
    SELECT DISTINCT person_id FROM conversions WHERE person_id IS NOT NULL
),
first_touch AS (
    SELECT person_id, min(occurred_at) AS first_touch_at,
           arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel
    FROM touches GROUP BY person_id
),
act AS (
    SELECT e.pid,
           max(e.occurred_at) AS last_active_at,
           count(*) AS activity_events,
           count(*) FILTER (WHERE e.occurred_at > p.recent_start) AS recent_events,
           count(*) FILTER (WHERE e.occurred_at <= p.recent_start) AS baseline_events,
           bool_or(e.occurred_at <= q.activation_end) AS activated,
           bool_or(e.occurred_at > q.retention_from AND e.occurred_at <= q.retention_at) AS active_at_horizon,
           sum(e.value) FILTER (WHERE e.occurred_at < q.ltv_end) AS activity_value
    FROM eval_act e JOIN eval_acq q USING (pid), p
    GROUP BY e.pid
),
conv_value AS (
    SELECT q.pid, sum(c.revenue) AS conversion_value
    FROM conversions c JOIN eval_acq q ON q.person_id = c.person_id
    WHERE c.occurred_at >= q.acquired_at AND c.occurred_at < q.ltv_end
    GROUP BY q.pid
)
SELECT pe.person_id, ft.first_touch_at, zf.day AS first_touch_day, ft.first_touch_channel,
       q.conversion_id AS acquisition_conversion_id, q.acquired_at, q.acquired_day, q.acquisition_channel, q.channel_group,
       a.last_active_at, coalesce(a.activity_events, 0) AS activity_events,
       coalesce(a.activated, false) AS activated,
       coalesce(a.recent_events, 0) > 0 AS active_now,
       q.retention_at <= p.as_of AS retention_eligible,
       coalesce(a.active_at_horizon, false) AND q.retention_at <= p.as_of AS retained,
       coalesce(a.recent_events, 0) AS recent_events,
       coalesce(a.baseline_events, 0) AS baseline_events,
       CASE WHEN q.acquired_at IS NOT NULL
            THEN CAST(coalesce(cv.conversion_value, 0) + coalesce(a.activity_value, 0) AS DECIMAL(38, 4)) END AS lifetime_value,
       CASE WHEN q.acquired_at IS NOT NULL
            THEN (epoch(p.as_of) - epoch(greatest(q.acquired_at, a.last_active_at))) / 86400.0 END AS days_since_active,
       CASE WHEN q.acquired_at IS NOT NULL
            THEN (epoch(p.recent_start) - epoch(q.acquired_at)) / 86400.0 END AS baseline_days
FROM people pe CROSS JOIN p
LEFT JOIN first_touch ft USING (person_id)
LEFT JOIN eval_days zf ON zf.q = epoch_us(ft.first_touch_at) // 900000000
LEFT JOIN eval_acq q USING (person_id)
LEFT JOIN act a ON a.pid = q.pid
LEFT JOIN conv_value cv ON cv.pid = q.pid
