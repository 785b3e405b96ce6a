-- Response curves of one fit: incremental conversions and revenue per period at each spend level per
-- period (0 to 3x current), the current level marked (is_current); channels with the largest current
-- spend first. grain says what a period is. $1 channel, $2 type.
WITH cur AS (
    SELECT channel, max(period_spend) AS current_spend
    FROM response_curves
    WHERE conversion_type = $2::VARCHAR AND is_current
    GROUP BY channel
)
SELECT r.channel, f.grain, r.period_spend, r.incremental_conversions, r.incremental_revenue, r.marginal_roas, r.is_current
FROM response_curves r
JOIN mmm_fit f USING (conversion_type)
LEFT JOIN cur USING (channel)
WHERE r.conversion_type = $2::VARCHAR AND ($1::VARCHAR IS NULL OR r.channel = $1::VARCHAR)
ORDER BY cur.current_spend DESC NULLS LAST, r.channel, r.period_spend
