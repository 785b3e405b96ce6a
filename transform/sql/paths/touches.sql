-- Stitched, classified touches: the input of paths and models.
CREATE OR REPLACE TEMP TABLE touches AS
SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM touchpoints t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL
