-- The distinct attribute combinations that channel classification must see (touches and spend).
SELECT DISTINCT coalesce(channel, '') AS channel, coalesce(source, '') AS source, coalesce(medium, '') AS medium,
       coalesce(campaign, '') AS campaign, coalesce(interaction, '') AS interaction
FROM touchpoints
UNION
SELECT DISTINCT coalesce(channel, ''), coalesce(source, ''), coalesce(medium, ''), coalesce(campaign, ''), ''
FROM spend
ORDER BY ALL
