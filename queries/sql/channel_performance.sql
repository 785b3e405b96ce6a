-- Day x channel x campaign x conversion type x model. Conversions are the sum of credits, dated by the
-- conversion; spend is the channel's full spend on every conversion type's row (never split by type);
-- '(all)' sums conversions and revenue over types. Ratios with a zero or missing divisor are NULL, and so is
-- cpa without spend (an unpaid channel has no cost per acquisition, not a cost of 0). Days are local days
-- (eval_days).
CREATE TABLE _next_channel_performance AS
WITH credit_day AS (
    SELECT z.day AS date, a.channel, a.campaign, a.conversion_type, a.model,
           sum(a.credit) AS conversions, sum(a.revenue_credit) AS revenue
    FROM _next_attribution_credits a JOIN eval_days z ON z.q = epoch_us(a.converted_at) // 900000000
    GROUP BY ALL
),
credit_agg AS (
    SELECT * FROM credit_day
    UNION ALL
    SELECT date, channel, campaign, '(all)', model, sum(conversions), sum(revenue)
    FROM credit_day GROUP BY ALL
),
touch_agg AS (
    SELECT z.day AS date, t.channel, t.campaign, count(*) AS touchpoints
    FROM touches t JOIN eval_days z ON z.q = epoch_us(t.occurred_at) // 900000000
    GROUP BY ALL
),
-- One group per channel; the unattributed channel is online unless a rule says otherwise.
groups AS (
    SELECT channel, min(channel_group) AS channel_group FROM (
        SELECT channel, channel_group FROM channel_map
        UNION ALL SELECT unattributed, 'online' FROM eval_params WHERE unattributed NOT IN (SELECT channel FROM channel_map)
    ) GROUP BY channel
),
types AS (
    SELECT DISTINCT conversion_type FROM conversions WHERE person_id IS NOT NULL UNION ALL SELECT '(all)'
),
-- Touches and spend are independent of type and model: one row for each type and model. Credits on a
-- day, channel and campaign without touches or spend add their own keys (no dedupe needed).
base AS (
    SELECT date, channel, campaign FROM touch_agg UNION SELECT date, channel, campaign FROM spend_daily
),
keys AS (
    SELECT b.date, b.channel, b.campaign, t.conversion_type, m.model FROM base b, types t, models m
    UNION ALL
    SELECT ca.date, ca.channel, ca.campaign, ca.conversion_type, ca.model FROM credit_agg ca
    WHERE NOT EXISTS (SELECT 1 FROM base b WHERE b.date = ca.date AND b.channel = ca.channel AND b.campaign = ca.campaign)
)
SELECT k.date, k.channel, coalesce(g.channel_group, 'online') AS channel_group, k.campaign, k.conversion_type, k.model,
       coalesce(ta.touchpoints, 0) AS touchpoints,
       coalesce(ca.conversions, 0) AS conversions,
       CAST(coalesce(ca.revenue, 0) AS DECIMAL(38, 10)) AS revenue,
       CAST(coalesce(sd.spend, 0) AS DECIMAL(18, 4)) AS spend,
       sd.impressions, sd.clicks,
       attrib_cpa(sd.spend, ca.conversions) AS cpa,
       CASE WHEN coalesce(sd.spend, 0) > 0 THEN coalesce(ca.revenue, 0) / sd.spend END AS roas,
       CASE WHEN coalesce(sd.spend, 0) > 0 THEN (coalesce(ca.revenue, 0) - sd.spend) / sd.spend END AS roi
FROM keys k
LEFT JOIN credit_agg ca USING (date, channel, campaign, conversion_type, model)
LEFT JOIN touch_agg ta USING (date, channel, campaign)
LEFT JOIN spend_daily sd USING (date, channel, campaign)
LEFT JOIN groups g USING (channel)
