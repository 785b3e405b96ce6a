-- channel_incrementality: per fit (conversion type or (all)) and channel, the incremental view of the media
-- mix model (mmm_channels) beside the path view (conversions credited by the acquisition model), over the
-- fit's window. Channels with attributed conversions but no spend get a row too: the model measures them
-- as part of the baseline. Ratios are NULL when their divisor is zero or missing.
CREATE TABLE _next_channel_incrementality AS
WITH p AS (SELECT * FROM eval_params),
f AS (SELECT conversion_type, window_start, window_end FROM _next_mmm_fit WHERE window_start IS NOT NULL),
-- The credits' daily sums from this run's channel_performance (as in model_comparison.sql: a channel
-- has credits in the window exactly when their sum is positive).
attr AS (
    SELECT f.conversion_type, c.channel, sum(c.conversions) AS conversions
    FROM _next_channel_performance c
    JOIN f ON f.conversion_type IN (c.conversion_type, '(all)') AND c.date BETWEEN f.window_start AND f.window_end
    , p
    WHERE c.conversion_type <> '(all)' AND c.model = p.acquisition_model AND c.channel <> p.unattributed
    GROUP BY ALL HAVING sum(c.conversions) > 0
),
spend AS (
    SELECT f.conversion_type, s.channel, sum(s.spend) AS spend
    FROM spend_daily s JOIN f ON s.date BETWEEN f.window_start AND f.window_end
    GROUP BY ALL
),
keys AS (
    SELECT conversion_type, channel FROM mmm_channels
    UNION
    SELECT conversion_type, channel FROM attr
),
groups AS (SELECT channel, min(channel_group) AS channel_group FROM channel_map GROUP BY channel)
SELECT k.conversion_type, k.channel, coalesce(g.channel_group, 'online') AS channel_group, f.window_start, f.window_end,
       CAST(coalesce(s.spend, 0) AS DECIMAL(38, 4)) AS spend,
       m.inc AS incremental_conversions, m.inc_low AS incremental_conversions_low, m.inc_high AS incremental_conversions_high,
       m.rev AS incremental_revenue, m.rev_low AS incremental_revenue_low, m.rev_high AS incremental_revenue_high,
       attrib_cpa(s.spend, m.inc) AS cost_per_incremental_conversion,
       CASE WHEN s.spend > 0 THEN m.rev / s.spend END AS iroas,
       m.marginal_roas,
       coalesce(a.conversions, 0) AS attributed_conversions,
       p.acquisition_model AS attribution_model,
       CASE WHEN a.conversions > 0 THEN m.inc / a.conversions END AS incrementality_factor,
       coalesce(m.method, 'no spend: measured as part of the baseline') AS method,
       m.decay, m.half_saturation AS half_saturation_spend, m.shape, m.current_spend AS current_period_spend
FROM keys k
JOIN f USING (conversion_type)
CROSS JOIN p
LEFT JOIN mmm_channels m USING (conversion_type, channel)
LEFT JOIN attr a USING (conversion_type, channel)
LEFT JOIN spend s USING (conversion_type, channel)
LEFT JOIN groups g USING (channel)
ORDER BY k.conversion_type, k.channel
