-- Day x channel x campaign x conversion type x model. Conversions are the sum of credits, dated by the
-- conversion; spend is the channel's full spend on every conversion type's row (never split by type);
-- '(all)' sums conversions and revenue over types. Ratios with a zero or missing divisor are NULL, and so is
-- cpa without spend (an unpaid channel has no cost per acquisition, not a cost of 0).
CREATE TABLE _next_channel_performance AS
WITH credit_agg AS (
    SELECT converted_at::DATE AS date, channel, campaign, conversion_type, model,
           sum(credit) AS conversions, sum(revenue_credit) AS revenue
    FROM _next_attribution_credits GROUP BY ALL
    UNION ALL
    SELECT converted_at::DATE, channel, campaign, '(all)', model, sum(credit), sum(revenue_credit)
    FROM _next_attribution_credits GROUP BY ALL
),
touch_agg AS (
    SELECT occurred_at::DATE AS date, channel, campaign, count(*) AS touchpoints FROM touches GROUP BY ALL
),
groups AS (
    SELECT channel, min(channel_group) AS channel_group FROM channel_map GROUP BY channel
    UNION ALL SELECT '(unattributed)', 'online'
),
types AS (
    SELECT DISTINCT conversion_type FROM conversions WHERE person_id IS NOT NULL UNION ALL SELECT '(all)'
),
-- Touches and spend are independent of type and model: one row for each type and model.
keys AS (
    SELECT date, channel, campaign, conversion_type, model FROM credit_agg
    UNION
    SELECT k.date, k.channel, k.campaign, t.conversion_type, m.model
    FROM (SELECT date, channel, campaign FROM touch_agg UNION SELECT date, channel, campaign FROM spend_daily) k,
         types t, models m
)
SELECT k.date, k.channel, coalesce(g.channel_group, 'online') AS channel_group, k.campaign, k.conversion_type, k.model,
       coalesce(ta.touchpoints, 0) AS touchpoints,
       coalesce(ca.conversions, 0) AS conversions,
       CAST(coalesce(ca.revenue, 0) AS DECIMAL(38, 10)) AS revenue,
       CAST(coalesce(sd.spend, 0) AS DECIMAL(18, 4)) AS spend,
       sd.impressions, sd.clicks,
       CASE WHEN coalesce(ca.conversions, 0) > 0 AND coalesce(sd.spend, 0) > 0 THEN sd.spend / ca.conversions END AS cpa,
       CASE WHEN coalesce(sd.spend, 0) > 0 THEN coalesce(ca.revenue, 0) / sd.spend END AS roas,
       CASE WHEN coalesce(sd.spend, 0) > 0 THEN (coalesce(ca.revenue, 0) - sd.spend) / sd.spend END AS roi
FROM keys k
LEFT JOIN credit_agg ca USING (date, channel, campaign, conversion_type, model)
LEFT JOIN touch_agg ta USING (date, channel, campaign)
LEFT JOIN spend_daily sd USING (date, channel, campaign)
LEFT JOIN groups g USING (channel)
ORDER BY ALL
