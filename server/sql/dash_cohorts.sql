-- Cohort retention: share of each monthly cohort with activity n months later. $1 from, $2 to, $3 channel.
SELECT cohort_start, period_offset, sum(cohort_size) AS cohort_size, sum(retained) AS retained,
       sum(retained) / nullif(sum(cohort_size), 0) AS retention_rate
FROM cohort_retention
WHERE ($1::DATE IS NULL OR cohort_start >= date_trunc('month', $1::DATE)) AND ($2::DATE IS NULL OR cohort_start <= $2::DATE)
  AND channel = coalesce($3::VARCHAR, '(all)')
GROUP BY cohort_start, period_offset
ORDER BY cohort_start, period_offset
