-- Churn watchlist: high-value customers not yet churned, highest churn risk first. $1 channel.
SELECT person_id, acquisition_channel, stage, value_tier, lifetime_value, churn_risk, last_active_at
FROM lifecycle
WHERE value_tier = 'high' AND stage NOT IN ('churned', 'reached')
  AND ($1::VARCHAR IS NULL OR acquisition_channel = $1::VARCHAR)
ORDER BY churn_risk DESC NULLS LAST, lifetime_value DESC, person_id
LIMIT 25
