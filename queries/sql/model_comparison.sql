-- Channel x conversion type x model: conversions (sum of credits), conversion_share (of all conversions of
-- that type under that model), revenue (revenue credit) and revenue_share; '(all)' sums over types. Every
-- configured model gets a row for every channel any model credited (0 when it credits it nothing), and
-- min_share / max_share give the spread of the channel's share across models.
CREATE TABLE _next_model_comparison AS
-- The credits' sums come from this run's channel_performance (built just before, one row per day, channel,
-- campaign, conversion type and model), not from the credits themselves: all_credits is a view (in a daily
-- run, with an anti join), and reading its 27 M rows cost 2 s at 18 M people where channel_performance has
-- a few hundred thousand. Revenue sums are the same exactly; conversions to about 1e-12 relative (another
-- order of adding). Credits are never negative and credit rows never zero, so a channel has credit rows
-- of a type under a model exactly when its sum is positive ('(all)' sums the types' sums).
WITH per_type AS MATERIALIZED (
    SELECT channel, conversion_type, model, sum(conversions) AS conversions, sum(revenue) AS revenue
    FROM _next_channel_performance WHERE conversion_type <> '(all)'
    GROUP BY ALL HAVING sum(conversions) > 0
),
agg AS MATERIALIZED (
    SELECT channel, conversion_type, model, conversions, revenue FROM per_type
    UNION ALL
    SELECT channel, '(all)', model, sum(conversions), sum(revenue)
    FROM per_type GROUP BY ALL
),
grid AS (
    SELECT DISTINCT a.channel, a.conversion_type, m.model FROM agg a, models m
),
filled AS (
    SELECT g.channel, g.conversion_type, g.model,
           coalesce(a.conversions, 0) AS conversions,
           CAST(coalesce(a.revenue, 0) AS DECIMAL(38, 10)) AS revenue
    FROM grid g LEFT JOIN agg a USING (channel, conversion_type, model)
),
shares AS (
    SELECT *,
           conversions / nullif(sum(conversions) OVER (PARTITION BY conversion_type, model), 0) AS conversion_share,
           revenue / nullif(sum(revenue) OVER (PARTITION BY conversion_type, model), 0) AS revenue_share
    FROM filled
)
SELECT channel, conversion_type, model, conversions, conversion_share, revenue, revenue_share,
       min(conversion_share) OVER (PARTITION BY channel, conversion_type) AS min_share,
       max(conversion_share) OVER (PARTITION BY channel, conversion_type) AS max_share
FROM shares
ORDER BY conversion_type, channel, model
