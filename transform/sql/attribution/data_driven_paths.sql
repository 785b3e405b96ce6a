-- Aggregated paths of one conversion type for the data-driven models: one path per conversion
-- (conv_steps, built for the type just before) and one per person with touches but no conversion of the type
-- (their touches within the type's lookback before their last touch, from nc_paths).
-- With a conversion window, converters are the people converting within it.
-- Parameters: conversion type (twice).
WITH nonconv AS (
    SELECT n.steps
    FROM nc_paths n
    WHERE n.lookback_us = (SELECT lookback_us FROM lookbacks WHERE conversion_type = ?)
      AND n.person_id NOT IN (SELECT person_id FROM attributed_conversions WHERE conversion_type = ?)
)
SELECT steps, sum(conv)::DOUBLE AS conversions, sum(nulls)::DOUBLE AS nulls, sum(value)::DOUBLE AS value
FROM (
    SELECT steps, 1 AS conv, 0 AS nulls, coalesce(revenue, 0) AS value FROM conv_steps
    UNION ALL
    SELECT steps, 0, 1, 0 FROM nonconv
)
GROUP BY steps
ORDER BY steps
