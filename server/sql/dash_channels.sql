-- ROI and ROAS by channel for one model and conversion type. $1 from, $2 to, $3 channel, $4 model, $5 type.
-- paid_as_organic flags a channel classed organic (Organic Search, Organic Social, ...) that has spend:
-- usually a paid source or medium the channel rules do not know.
SELECT channel, any_value(channel_group) AS channel_group,
       sum(spend) AS spend,
       sum(conversions) AS conversions,
       sum(revenue) AS revenue,
       attrib_cpa(sum(spend), sum(conversions)) AS cpa,
       sum(revenue) / nullif(sum(spend), 0) AS roas,
       (sum(revenue) - sum(spend)) / nullif(sum(spend), 0) AS roi,
       starts_with(lower(channel), 'organic') AND coalesce(sum(spend), 0) > 0 AS paid_as_organic
FROM channel_performance
WHERE ($1::DATE IS NULL OR date >= $1::DATE) AND ($2::DATE IS NULL OR date <= $2::DATE)
  AND ($3::VARCHAR IS NULL OR channel = $3::VARCHAR)
  AND model = $4::VARCHAR AND conversion_type = $5::VARCHAR
GROUP BY channel
ORDER BY sum(revenue) DESC NULLS LAST, channel
