-- The evaluation settings of this run (bound from the config's evaluation section) and as_of, the latest
-- event in the warehouse (touch, conversion or activity): "now" for recency, activity windows and
-- eligibility, so results depend on the data only, never on the wall clock. The last touch comes from
-- person_touches (each person's first and last touch), not from every touch.
-- Parameters: period, acquisition_type, acquisition_model, ltv_months, retention_months, retention_target,
-- churn_days, active_days, activation_days, the unattributed channel's name. recent_start = as_of - active_days starts the recent window.
CREATE OR REPLACE TEMP TABLE eval_params AS
SELECT *, as_of - to_days(active_days) AS recent_start FROM (
SELECT ?::VARCHAR AS period, ?::VARCHAR AS acquisition_type, ?::VARCHAR AS acquisition_model,
       ?::INTEGER AS ltv_months, ?::INTEGER AS retention_months, ?::DOUBLE AS retention_target,
       ?::INTEGER AS churn_days, ?::INTEGER AS active_days, ?::INTEGER AS activation_days,
       ?::VARCHAR AS unattributed,
       greatest((SELECT max(last_touch_at) FROM person_touches),
                (SELECT max(occurred_at) FROM conversions WHERE person_id IS NOT NULL),
                (SELECT max(occurred_at) FROM activity WHERE person_id IS NOT NULL)) AS as_of
)
