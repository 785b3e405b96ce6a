-- One row per acquired person (eval_acq's pid): their activity from the acquisition on (eval_act) and the
-- revenue of their conversions within the LTV horizon, as eval_person.sql.tmpl reports them (see there).
-- Computed once here for the acquired people (about a million at 18 M people), not in each of eval_person's
-- passes over everyone.
CREATE OR REPLACE TEMP TABLE eval_acq_stats AS
WITH p AS (SELECT * FROM eval_params),
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
SELECT q.pid, a.last_active_at, a.activity_events, a.recent_events, a.baseline_events, a.activated,
       a.active_at_horizon, a.activity_value, cv.conversion_value
FROM eval_acq q
LEFT JOIN act a USING (pid)
LEFT JOIN conv_value cv USING (pid)
