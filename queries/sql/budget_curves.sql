-- Budget inputs per paid channel (spend > 0 in the data): weekly spend (Monday weeks) and the revenue credited
-- to the channel under the acquisition model (all conversion types, by conversion week), and the response
-- curve revenue = a x spend^b fitted by least squares in log space, ln(revenue) = ln(a) + b ln(spend), over
-- the weeks with both spend and attributed revenue (log_spend_sd: spread of ln(spend) over those weeks).
-- Spend and revenue are totals over the whole data range.
WITH p AS (SELECT * FROM eval_params),
sp AS (
    SELECT channel, min(channel_group) AS channel_group, date_trunc('week', date)::DATE AS week, sum(spend) AS spend
    FROM spend_daily GROUP BY channel, week
),
rv AS (
    SELECT a.channel, date_trunc('week', z.day)::DATE AS week, sum(a.revenue_credit) AS revenue
    FROM _next_attribution_credits a JOIN eval_days z ON z.q = epoch_us(a.converted_at) // 900000000, p
    WHERE a.model = p.acquisition_model
    GROUP BY ALL
),
weekly AS (
    SELECT sp.channel, sp.week, sp.spend, coalesce(rv.revenue, 0) AS revenue,
           CASE WHEN coalesce(rv.revenue, 0) > 0 THEN ln(sp.spend::DOUBLE) END AS x,
           CASE WHEN coalesce(rv.revenue, 0) > 0 THEN ln(rv.revenue::DOUBLE) END AS y
    FROM sp LEFT JOIN rv USING (channel, week)
    WHERE sp.spend > 0
),
fit AS (
    SELECT channel, count(*) AS spend_weeks, count(x) AS fit_weeks,
           stddev_pop(x) AS log_spend_sd, regr_slope(y, x) AS b, regr_intercept(y, x) AS ln_a, regr_r2(y, x) AS r2
    FROM weekly GROUP BY channel
),
totals AS (
    SELECT channel, min(channel_group) AS channel_group, CAST(sum(spend) AS DECIMAL(38, 4)) AS spend
    FROM sp GROUP BY channel HAVING sum(spend) > 0
),
revenue AS (
    SELECT channel, sum(revenue_credit) AS revenue FROM _next_attribution_credits, p
    WHERE model = p.acquisition_model GROUP BY channel
)
SELECT t.channel, t.channel_group, p.acquisition_model AS model,
       f.spend_weeks, f.fit_weeks, t.spend, CAST(coalesce(r.revenue, 0) AS DECIMAL(38, 10)) AS revenue,
       f.log_spend_sd, f.b, f.ln_a, f.r2
FROM totals t CROSS JOIN p
JOIN fit f USING (channel)
LEFT JOIN revenue r USING (channel)
ORDER BY t.channel
