-- Each conversion of one type with its path: the channel ids of its touches in path order (pos), and its
-- revenue. Read by data_driven_paths.sql (the paths the models are fitted on) and data_driven_credits.sql
-- (each touch's credit, looked up by its conversion's path).
-- Parameter: conversion type.
CREATE OR REPLACE TEMP TABLE conv_steps AS
SELECT ct.conversion_id, list_transform(list_sort(list({'p': ct.pos, 'c': ci.cid})), x -> x.c) AS steps,
       any_value(ct.revenue) AS revenue
FROM conv_touches ct JOIN channel_ids ci USING (channel)
WHERE ct.conversion_type = ?
GROUP BY ct.conversion_id
