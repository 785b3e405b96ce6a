-- Spend per day, channel and campaign in the reporting currency, classified like touches.
CREATE OR REPLACE TEMP TABLE spend_daily AS
SELECT s.date, m.channel, m.channel_group, coalesce(s.campaign, '') AS campaign,
       sum(s.spend) AS spend, sum(s.impressions) AS impressions, sum(s.clicks) AS clicks
FROM spend s
JOIN channel_map m
  ON m.k_channel = coalesce(s.channel, '') AND m.k_source = coalesce(s.source, '') AND m.k_medium = coalesce(s.medium, '')
 AND m.k_campaign = coalesce(s.campaign, '') AND m.k_interaction = ''
GROUP BY ALL
