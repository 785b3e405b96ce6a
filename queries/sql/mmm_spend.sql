-- Spend per local day of every channel with spend, in the reporting currency, for the media mix model.
-- Parameters: first and last day of the model's window.
SELECT channel, min(channel_group) AS channel_group, date, sum(spend)::DOUBLE AS spend
FROM spend_daily
WHERE date BETWEEN ?::DATE AND ?::DATE
GROUP BY channel, date
HAVING sum(spend) <> 0
ORDER BY channel, date
