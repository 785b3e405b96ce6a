-- Payback curve per acquisition period and acquisition channel: cum_value(d) = value (conversion revenue plus
-- activity value, within the LTV horizon) received up to d whole days after acquisition, summed over the
-- acquired persons and divided by their number. payback_days is the first d with cum_value(d) >= cac.
CREATE OR REPLACE TEMP TABLE eval_value_curve AS
WITH p AS (SELECT * FROM eval_params),
acq AS (
    SELECT q.pid, q.person_id, q.acquired_at, q.ltv_end, q.acquisition_channel AS channel,
           date_trunc(p.period, q.acquired_day)::DATE AS period_start
    FROM eval_acq q, p
),
sizes AS (SELECT period_start, channel, count(*) AS acquired FROM acq GROUP BY ALL),
events AS (
    SELECT q.period_start, q.channel, ((epoch_us(c.occurred_at) - epoch_us(q.acquired_at)) // 86400000000)::INTEGER AS d,
           coalesce(c.revenue, 0) AS value
    FROM conversions c JOIN acq q ON q.person_id = c.person_id CROSS JOIN p
    WHERE c.occurred_at >= q.acquired_at AND c.occurred_at < q.ltv_end
    UNION ALL
    SELECT q.period_start, q.channel, ((epoch_us(e.occurred_at) - epoch_us(q.acquired_at)) // 86400000000)::INTEGER,
           e.value
    FROM eval_act e JOIN acq q USING (pid)
    WHERE e.value IS NOT NULL AND e.occurred_at < q.ltv_end
),
daily AS (SELECT period_start, channel, d, sum(value) AS value FROM events GROUP BY ALL)
SELECT d.period_start, d.channel, d.d,
       sum(d.value) OVER (PARTITION BY d.period_start, d.channel ORDER BY d.d) / s.acquired AS cum_value
FROM daily d JOIN sizes s USING (period_start, channel)
