-- Aggregated paths of one conversion type for the data-driven models: one path per conversion
-- (its touches in time order) and one per person with touches but no conversion of the type
-- (their touches within the lookback before their last touch).
-- Parameters: conversion type (twice), lookback in microseconds.
WITH conv AS (
    SELECT ct.conversion_id, list(ci.cid ORDER BY ct.pos) AS steps, any_value(ct.revenue) AS revenue
    FROM conv_touches ct JOIN channel_ids ci USING (channel)
    WHERE ct.conversion_type = ?
    GROUP BY ct.conversion_id
),
converters AS (
    SELECT DISTINCT person_id FROM conversions WHERE conversion_type = ? AND person_id IS NOT NULL
),
last_touch AS (
    SELECT person_id, max(occurred_at) AS last_at FROM touches
    WHERE person_id NOT IN (SELECT person_id FROM converters)
    GROUP BY person_id
),
nonconv AS (
    SELECT t.person_id, list(ci.cid ORDER BY t.occurred_at, t.touchpoint_id) AS steps
    FROM touches t JOIN last_touch l USING (person_id) JOIN channel_ids ci USING (channel)
    WHERE t.occurred_at >= l.last_at - to_microseconds(?)
    GROUP BY t.person_id
)
SELECT steps, sum(conv)::DOUBLE AS conversions, sum(nulls)::DOUBLE AS nulls, sum(value)::DOUBLE AS value
FROM (
    SELECT steps, 1 AS conv, 0 AS nulls, coalesce(revenue, 0) AS value FROM conv
    UNION ALL
    SELECT steps, 0, 1, 0 FROM nonconv
)
GROUP BY steps
ORDER BY steps
