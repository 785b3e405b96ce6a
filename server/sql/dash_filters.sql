-- Filter choices: channels, models, conversion types and the date range of channel_performance.
SELECT list(DISTINCT channel ORDER BY channel) FILTER (WHERE channel <> '(unattributed)') AS channels,
       list(DISTINCT model ORDER BY model) AS models,
       list(DISTINCT conversion_type ORDER BY conversion_type) AS conversion_types,
       min(date) AS min_date, max(date) AS max_date
FROM channel_performance
