-- Aggregated paths of one conversion type for the data-driven models: one path per conversion
-- (conv_steps, built for the type just before) and one per person with touches but no conversion of the type
-- (their touches within the type's lookback before their last touch): the counts of every person's
-- path (nc_path_counts) less those of the type's converters (converter_path_counts), who are far fewer
-- than the people. With a conversion window, converters are the people converting within it.
-- Parameters: conversion type (twice).
WITH lb AS (SELECT lookback_us FROM lookbacks WHERE conversion_type = ?),
converters AS (
    SELECT x.steps, x.n
    FROM converter_path_counts x JOIN lb USING (lookback_us)
    WHERE x.conversion_type = ?
),
nonconv AS (
    SELECT c.steps, c.n - coalesce(x.n, 0) AS n
    FROM nc_path_counts c JOIN lb USING (lookback_us)
    LEFT JOIN converters x ON x.steps = c.steps
)
SELECT steps, sum(conv)::DOUBLE AS conversions, sum(nulls)::DOUBLE AS nulls, sum(value)::DOUBLE AS value
FROM (
    SELECT steps, 1 AS conv, 0 AS nulls, coalesce(revenue, 0) AS value FROM conv_steps
    UNION ALL
    SELECT steps, 0, n, 0 FROM nonconv WHERE n > 0
)
GROUP BY steps
ORDER BY steps
