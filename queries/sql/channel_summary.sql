-- Channel performance over all days for one model, all conversion types together.
SELECT channel, channel_group,
       sum(touchpoints) AS touchpoints,
       round(sum(conversions), 1) AS conversions,
       round(sum(revenue), 2) AS revenue,
       round(sum(spend), 2) AS spend,
       round(attrib_cpa(sum(spend), sum(conversions)), 2) AS cpa,
       round(sum(revenue) / nullif(sum(spend), 0), 3) AS roas
FROM channel_performance
WHERE model = ? AND conversion_type = '(all)'
GROUP BY channel, channel_group
ORDER BY sum(conversions) DESC, channel
