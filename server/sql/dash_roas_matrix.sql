-- ROAS and ROI by channel and model for one conversion type. $1 from, $2 to, $3 channel, $4 type.
SELECT channel, model,
       sum(conversions) AS conversions,
       sum(revenue) AS revenue,
       sum(spend) AS spend,
       sum(revenue) / nullif(sum(spend), 0) AS roas,
       (sum(revenue) - sum(spend)) / nullif(sum(spend), 0) AS roi
FROM channel_performance
WHERE ($1::DATE IS NULL OR date >= $1::DATE) AND ($2::DATE IS NULL OR date <= $2::DATE)
  AND ($3::VARCHAR IS NULL OR channel = $3::VARCHAR)
  AND conversion_type = $4::VARCHAR
GROUP BY channel, model
ORDER BY channel, model
