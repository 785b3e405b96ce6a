-- Stitched, classified touches: the input of paths, models and evaluation. A view, not a table:
-- a temp table is held uncompressed (at 18 M people, 102 M touches took about 13 GB of the temp
-- directory), while the join with the small channel_map costs seconds each time it is read.
CREATE OR REPLACE TEMP VIEW touches AS
SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM touchpoints t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL
