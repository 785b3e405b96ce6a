-- Budget recommendations per spend channel: the spend of the budget window (the last weeks of the model's
-- window), the spend the response curves recommend for a window like it with the same total, and the
-- expected revenue change. change_factor is recommended_spend / spend exactly (NULL without spend); a held
-- channel (recommended NULL in mmm_budget) keeps its spend.
CREATE TABLE _next_budget_recommendations AS
WITH spend AS (
    SELECT b.channel, sum(s.spend) AS spend
    FROM mmm_budget b LEFT JOIN spend_daily s ON s.channel = b.channel AND s.date BETWEEN b.budget_start AND b.budget_end
    GROUP BY b.channel
),
r AS (
    SELECT b.*, coalesce(CAST(b.recommended AS DECIMAL(38, 2)), CAST(round(coalesce(s.spend, 0), 2) AS DECIMAL(38, 2))) AS rec, s.spend
    FROM mmm_budget b JOIN spend s USING (channel)
),
groups AS (SELECT channel, min(channel_group) AS channel_group FROM channel_map GROUP BY channel)
SELECT b.channel, coalesce(g.channel_group, 'online') AS channel_group, b.budget_start AS period_start, b.budget_end AS period_end,
       CAST(coalesce(b.spend, 0) AS DECIMAL(38, 4)) AS spend,
       b.roi, b.marginal_roi,
       b.rec AS recommended_spend,
       CAST(b.rec - coalesce(b.spend, 0) AS DECIMAL(38, 4)) AS change,
       CASE WHEN b.spend > 0 THEN b.rec::DOUBLE / b.spend::DOUBLE END AS change_factor,
       b.recommended_marginal_roi,
       b.expected_revenue_change, b.expected_revenue_change_low, b.expected_revenue_change_high,
       b.basis, b.action, b.reason
FROM r b LEFT JOIN groups g USING (channel)
ORDER BY b.channel
