-- Weekly trend per channel: conversions (sum of credits), spend and ROAS for one model and conversion
-- type, weeks starting on Monday. $1 from, $2 to, $3 channel, $4 model, $5 type.
SELECT date_trunc('week', date)::DATE AS week_start, channel,
       sum(conversions) AS conversions,
       sum(spend) AS spend,
       sum(revenue) AS revenue,
       sum(revenue) / nullif(sum(spend), 0) AS roas,
       count(DISTINCT date) AS days
FROM channel_performance
WHERE ($1::DATE IS NULL OR date >= $1::DATE) AND ($2::DATE IS NULL OR date <= $2::DATE)
  AND ($3::VARCHAR IS NULL OR channel = $3::VARCHAR)
  AND model = $4::VARCHAR AND conversion_type = $5::VARCHAR
GROUP BY ALL
ORDER BY week_start, channel
