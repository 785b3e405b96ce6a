-- The distinct attribute combinations that channel classification must see (touches and spend), kept in
-- attrib_state.attribute_combinations (combinations_add.sql).
SELECT channel, source, medium, campaign, interaction
FROM attrib_state.attribute_combinations
ORDER BY ALL
