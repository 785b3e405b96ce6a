-- Contribution over time: the baseline's and each channel's fitted conversions per week (Monday weeks; a
-- daily fit's days summed) for one fit. days = the days of the week inside the fit's window and the date
-- filter (7 for a whole week). A weekly period counts when any of its days is in the date range.
-- $1 from, $2 to, $3 channel (the baseline is always kept), $4 type.
SELECT date_trunc('week', t.period_start)::DATE AS week_start,
       t.channel,
       sum(CASE WHEN f.grain = 'week' THEN 7 ELSE 1 END) AS days,
       sum(t.spend) AS spend,
       sum(t.contribution) AS contribution
FROM incrementality_timeseries t
JOIN mmm_fit f USING (conversion_type)
WHERE t.conversion_type = $4::VARCHAR
  AND ($1::DATE IS NULL OR t.period_start + CASE WHEN f.grain = 'week' THEN 6 ELSE 0 END >= $1::DATE)
  AND ($2::DATE IS NULL OR t.period_start <= $2::DATE)
  AND ($3::VARCHAR IS NULL OR t.channel IN ($3::VARCHAR, '(baseline)'))
GROUP BY week_start, t.channel
ORDER BY week_start, t.channel <> '(baseline)', t.channel
