-- Components the identity guard would have to cut (over the cap) or that touch a person of a
-- component it cut before: either makes the run stitch everything again.
-- Parameter: identity.max_component_size (0 or less: no cap).
SELECT (SELECT count(*) FROM inc_new_ids WHERE ?::BIGINT > 0 AND size > ?::BIGINT)
     + (SELECT count(*) FROM inc_persons WHERE person_id IN (SELECT person_id FROM attrib_state.capped_persons))
