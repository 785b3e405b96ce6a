-- One row per person seen in touches or conversions, as of the latest event in the warehouse (as_of).
-- stage: reached (no acquisition conversion) | converted | activated | active | retained | churned, the
--   furthest stage reached, where churned (days_since_active >= churn_days) wins over every other stage
--   of an acquired person and retained wins over active, active over activated.
-- value_tier (acquired persons): high = lifetime_value > 0 and at or above the 80th percentile (linear
--   interpolation, quantile_cont) of all acquired persons' lifetime values; medium = > 0 and at or above
--   the median; low = the rest.
-- churn_risk (acquired persons, 0..1) = 0.5 x recency_score + 0.5 x frequency_decline, where
--   recency_score     = min(1, days_since_active / churn_days), days since the last activity (or the
--                       acquisition, if later or without activity);
--   expected_events   = baseline_events x active_days / baseline_days: the person's own activity rate since
--                       acquisition, before the recent window, scaled to one window; NULL when that history
--                       is shorter than one window;
--   frequency_decline = max(0, 1 - recent_events / expected_events) when expected_events >= 1, else 0.
-- churn_band: low < 0.3 <= watch < 0.6 <= high.
CREATE TABLE _next_lifecycle AS
WITH p AS (SELECT * FROM eval_params),
tiers AS (
    SELECT quantile_cont(lifetime_value::DOUBLE, 0.8) AS p80, quantile_cont(lifetime_value::DOUBLE, 0.5) AS p50
    FROM eval_person WHERE acquired_at IS NOT NULL
),
scored AS (
    SELECT e.*,
           CASE WHEN e.acquired_at IS NOT NULL AND e.baseline_days >= p.active_days
                THEN e.baseline_events * p.active_days / e.baseline_days END AS expected_events,
           CASE WHEN e.acquired_at IS NOT NULL THEN least(1.0, e.days_since_active / p.churn_days) END AS recency_score
    FROM eval_person e, p
),
risk AS (
    SELECT s.*,
           CASE WHEN s.acquired_at IS NULL THEN NULL
                WHEN s.expected_events >= 1 THEN greatest(0.0, 1 - s.recent_events / s.expected_events)
                ELSE 0.0 END AS frequency_decline
    FROM scored s
)
SELECT r.person_id, r.acquisition_channel,
       CASE WHEN r.acquired_at IS NULL THEN 'reached'
            WHEN r.days_since_active >= p.churn_days THEN 'churned'
            WHEN r.retained THEN 'retained'
            WHEN r.active_now THEN 'active'
            WHEN r.activated THEN 'activated'
            ELSE 'converted' END AS stage,
       r.acquired_at, r.last_active_at,
       CASE WHEN r.acquired_at IS NULL THEN NULL
            WHEN r.lifetime_value > 0 AND r.lifetime_value::DOUBLE >= t.p80 THEN 'high'
            WHEN r.lifetime_value > 0 AND r.lifetime_value::DOUBLE >= t.p50 THEN 'medium'
            ELSE 'low' END AS value_tier,
       r.lifetime_value,
       round(0.5 * r.recency_score + 0.5 * r.frequency_decline, 4) AS churn_risk,
       CASE WHEN r.acquired_at IS NULL THEN NULL
            WHEN 0.5 * r.recency_score + 0.5 * r.frequency_decline >= 0.6 THEN 'high'
            WHEN 0.5 * r.recency_score + 0.5 * r.frequency_decline >= 0.3 THEN 'watch'
            ELSE 'low' END AS churn_band,
       r.first_touch_at, r.first_touch_channel, r.activity_events, r.recent_events, r.expected_events,
       r.days_since_active, r.recency_score, r.frequency_decline
FROM risk r CROSS JOIN p CROSS JOIN tiers t
