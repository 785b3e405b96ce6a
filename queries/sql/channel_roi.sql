-- Period x channel x conversion type x model, from channel_performance (so spend is the channel's full spend
-- on every conversion type's row and '(all)' sums conversions and revenue over types). Money is summed as
-- DECIMAL; cac, roas and roi are NULL without spend (and cac without conversions).
-- On the acquisition type's rows, the people acquired in the period under the acquisition model
-- (acquisition_channel = channel): acquired, ltv (mean lifetime value within the horizon), ltv_to_cac,
-- payback_days (first whole day after acquisition on which their mean cumulative value reaches cac),
-- retention_rate (retained / eligible, see lifecycle) beside retention_target. These are NULL on other rows.
CREATE TABLE _next_channel_roi AS
WITH p AS (SELECT * FROM eval_params),
base AS (
    SELECT date_trunc(p.period, cp.date)::DATE AS period_start, cp.channel, min(cp.channel_group) AS channel_group,
           cp.conversion_type, cp.model,
           CAST(sum(cp.spend) AS DECIMAL(38, 4)) AS spend, sum(cp.conversions) AS conversions,
           CAST(sum(cp.revenue) AS DECIMAL(38, 10)) AS revenue
    FROM _next_channel_performance cp, p
    GROUP BY ALL
),
acq AS (
    SELECT date_trunc(p.period, e.acquired_day)::DATE AS period_start, e.acquisition_channel AS channel,
           count(*) AS acquired, sum(e.lifetime_value) AS ltv_total,
           count(*) FILTER (WHERE e.retention_eligible) AS retention_eligible,
           count(*) FILTER (WHERE e.retained) AS retained
    FROM eval_person e, p
    WHERE e.acquired_at IS NOT NULL
    GROUP BY ALL
),
ratios AS (
    SELECT b.*,
           attrib_cpa(b.spend, b.conversions) AS cac,
           CASE WHEN b.spend > 0 THEN b.revenue / b.spend END AS roas,
           CASE WHEN b.spend > 0 THEN (b.revenue - b.spend) / b.spend END AS roi,
           b.conversion_type = p.acquisition_type AS is_acq
    FROM base b, p
),
payback AS (
    SELECT r.period_start, r.channel, r.model, min(v.d) AS payback_days
    FROM ratios r JOIN eval_value_curve v ON v.period_start = r.period_start AND v.channel = r.channel AND v.cum_value >= r.cac
    WHERE r.is_acq
    GROUP BY ALL
)
SELECT r.period_start,
       (CASE p.period WHEN 'day' THEN r.period_start
                      WHEN 'week' THEN r.period_start + 6
                      ELSE (r.period_start + INTERVAL 1 MONTH)::DATE - 1 END) AS period_end,
       r.channel, r.channel_group, r.conversion_type, r.model,
       r.spend, r.conversions, r.revenue, r.cac, r.roas, r.roi,
       CASE WHEN r.is_acq THEN coalesce(a.acquired, 0) END AS acquired,
       CASE WHEN r.is_acq AND a.acquired > 0 THEN a.ltv_total / a.acquired END AS ltv,
       CASE WHEN r.is_acq AND a.acquired > 0 AND r.cac > 0 THEN (a.ltv_total / a.acquired) / r.cac END AS ltv_to_cac,
       CASE WHEN r.is_acq THEN pb.payback_days END AS payback_days,
       CASE WHEN r.is_acq THEN coalesce(a.retention_eligible, 0) END AS retention_eligible,
       CASE WHEN r.is_acq AND a.retention_eligible > 0 THEN a.retained / a.retention_eligible END AS retention_rate,
       CASE WHEN r.is_acq THEN p.retention_target END AS retention_target
FROM ratios r CROSS JOIN p
LEFT JOIN acq a ON a.period_start = r.period_start AND a.channel = r.channel AND r.is_acq
LEFT JOIN payback pb ON pb.period_start = r.period_start AND pb.channel = r.channel AND pb.model = r.model
ORDER BY r.period_start, r.channel, r.conversion_type, r.model
