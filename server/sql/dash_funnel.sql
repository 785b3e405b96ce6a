-- Funnel over the periods in the date range, for one first-touch channel or '(all)'. $1 from, $2 to, $3 channel.
SELECT stage, stage_order, sum(persons) AS persons
FROM funnel
WHERE ($1::DATE IS NULL OR period_start >= date_trunc('month', $1::DATE)) AND ($2::DATE IS NULL OR period_start <= $2::DATE)
  AND channel = coalesce($3::VARCHAR, '(all)')
GROUP BY stage, stage_order
ORDER BY stage_order
