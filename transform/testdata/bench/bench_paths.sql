-- The aggregated paths with channel-id steps, in file order.
CREATE OR REPLACE TABLE bench_paths AS
WITH s AS (
    SELECT pid, unnest(names) AS channel, generate_subscripts(names, 1) AS pos FROM raw_paths
)
SELECT r.pid, list(c.cid ORDER BY s.pos) AS steps, any_value(r.conversions) AS conversions,
       any_value(r.nulls) AS nulls, any_value(r.value) AS value
FROM s JOIN bench_channels c USING (channel) JOIN raw_paths r USING (pid)
GROUP BY r.pid
ORDER BY r.pid;
