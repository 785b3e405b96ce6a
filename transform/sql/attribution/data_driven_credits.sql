-- The data-driven models' credit of each touch of the conversions of one type: the credit the models
-- gave the touch's step (pos) in its conversion's path (path_credits). Touches given no credit are left
-- out, as the rule-based models leave out the touches they give none.
-- Parameter: conversion type.
INSERT INTO model_credits
SELECT ct.conversion_id, pc.model, ct.touchpoint_id, ct.channel, ct.campaign, pc.credits[ct.pos] AS credit
FROM conv_touches ct
JOIN conv_steps cs USING (conversion_id)
JOIN path_credits pc ON pc.steps = cs.steps
WHERE ct.conversion_type = ? AND pc.credits[ct.pos] <> 0
