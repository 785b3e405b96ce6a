-- The data-driven models' credit of each touch of the conversions of one type: the credit the models
-- gave the touch's step (pos) in its conversion's path (path_credits), written straight into the
-- data-driven part of attribution_credits (channel group and revenue credit as
-- attribution_credits.sql.tmpl gives them). Touches given no credit are left out, as the rule-based
-- models leave out the touches they give none.
-- Parameter: conversion type.
INSERT INTO _next_attribution_credits_data_driven
SELECT ct.conversion_id, pc.model, ct.touchpoint_id, ct.channel, coalesce(cm.channel_group, 'online') AS channel_group,
       ct.campaign, pc.credits[ct.pos] AS credit,
       CAST(pc.credits[ct.pos] * coalesce(ct.revenue, 0) AS DECIMAL(38, 10)) AS revenue_credit,
       ct.conversion_type, ct.converted_at
FROM conv_touches ct
JOIN conv_steps cs USING (conversion_id)
JOIN path_credits pc ON pc.steps = cs.steps
LEFT JOIN channel_groups cm ON cm.channel = ct.channel
WHERE ct.conversion_type = ? AND pc.credits[ct.pos] <> 0
