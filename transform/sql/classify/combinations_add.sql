-- Adds the attribute combinations of the new loads' touches and spend (combo_new_loads) that are not kept
-- yet. Touches and spend only ever gain rows, so the kept combinations plus these are every combination.
INSERT INTO attrib_state.attribute_combinations
SELECT * FROM (
    SELECT DISTINCT coalesce(channel, '') AS channel, coalesce(source, '') AS source, coalesce(medium, '') AS medium,
           coalesce(campaign, '') AS campaign, coalesce(interaction, '') AS interaction
    FROM touchpoints WHERE load_id IN (SELECT load_id FROM combo_new_loads)
    UNION
    SELECT DISTINCT coalesce(channel, ''), coalesce(source, ''), coalesce(medium, ''), coalesce(campaign, ''), ''
    FROM spend WHERE load_id IN (SELECT load_id FROM combo_new_loads)
)
EXCEPT
SELECT channel, source, medium, campaign, interaction FROM attrib_state.attribute_combinations
