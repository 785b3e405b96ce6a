-- The data-driven models' credit of each touch of the conversions of one type: the credit each model
-- gave the touch's step (pos) in its conversion's path (path_credits), written wide, one row per touch
-- with a column per model, straight into the data-driven part of attribution_credits (channel group as
-- attribution_credits.sql.tmpl gives it; the revenue credit is computed when read, from the
-- conversion's revenue: data_driven_long in attribution_credits_view.sql.tmpl). A row per touch and
-- not per touch and model is three times fewer rows to write: at 18 M people 3.7 M, where 10.9 M took
-- 11-13 s. A model's zero credits are left out when read, as the rule-based models leave out the
-- touches they give none.
-- Parameter: conversion type.
INSERT INTO _next_attribution_credits_data_driven_wide BY NAME
SELECT ct.conversion_id, ct.touchpoint_id, ct.channel, coalesce(cm.channel_group, 'online') AS channel_group,
       ct.campaign, ct.revenue, ct.conversion_type, ct.converted_at,
       pc.markov[ct.pos] AS markov, pc.shapley[ct.pos] AS shapley, pc.fractribution[ct.pos] AS fractribution
FROM conv_touches ct
JOIN conv_steps cs USING (conversion_id)
JOIN path_credits pc ON pc.steps = cs.steps
LEFT JOIN channel_groups cm ON cm.channel = ct.channel
WHERE ct.conversion_type = ?
