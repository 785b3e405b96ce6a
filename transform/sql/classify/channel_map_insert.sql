-- Adds classified attribute combinations to channel_map. Parameters: eight lists of equal length,
-- one per column (the combination's channel, source, medium, campaign, interaction, then the
-- classifier's channel, group and rule).
INSERT INTO channel_map
SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),
       unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])
