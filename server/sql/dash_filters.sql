-- Filter choices: channels, models, conversion types and the date range of channel_performance,
-- with the reporting currency, time zone and acquisition model of the config. $1 currency, $2 time zone,
-- $3 acquisition model.
SELECT list(DISTINCT channel ORDER BY channel) FILTER (WHERE channel <> '(unattributed)') AS channels,
       list(DISTINCT model ORDER BY model) AS models,
       list(DISTINCT conversion_type ORDER BY conversion_type) AS conversion_types,
       min(date) AS min_date, max(date) AS max_date,
       $1::VARCHAR AS currency, $2::VARCHAR AS timezone, $3::VARCHAR AS acquisition_model
FROM channel_performance
