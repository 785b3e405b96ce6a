-- Conversions and revenue per conversion type and local day, for the media mix model: every loaded
-- conversion counts, whether or not a touch explains it.
-- Parameters: first and last day of the model's window.
SELECT c.conversion_type, z.day, count(*) AS conversions, coalesce(sum(c.revenue), 0)::DOUBLE AS revenue
FROM conversions c JOIN eval_days z ON z.q = epoch_us(c.occurred_at) // 900000000
WHERE z.day BETWEEN ?::DATE AND ?::DATE
GROUP BY ALL
ORDER BY 1, 2
