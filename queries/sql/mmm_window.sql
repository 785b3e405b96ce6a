-- The media mix model's data window: the first and last local day with spend, how many distinct days and
-- weekdays carry spend (spend on one weekday only means weekly data), and the first and last local day
-- with a conversion. The model's window is where both exist.
SELECT (SELECT min(date) FROM spend_daily WHERE spend > 0) AS spend_first,
       (SELECT max(date) FROM spend_daily WHERE spend > 0) AS spend_last,
       (SELECT count(DISTINCT date) FROM spend_daily WHERE spend > 0) AS spend_days,
       (SELECT count(DISTINCT dayofweek(date)) FROM spend_daily WHERE spend > 0) AS spend_weekdays,
       (SELECT min(z.day) FROM conversions c JOIN eval_days z ON z.q = epoch_us(c.occurred_at) // 900000000) AS conv_first,
       (SELECT max(z.day) FROM conversions c JOIN eval_days z ON z.q = epoch_us(c.occurred_at) // 900000000) AS conv_last
