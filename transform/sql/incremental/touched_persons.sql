-- The existing persons each component touches, with their smallest identifier and size.
CREATE OR REPLACE TEMP TABLE inc_persons AS
SELECT c.comp, c.elem AS person_id, min(m.identifier) AS min_node, count(*)::BIGINT AS size
FROM inc_comp c JOIN identity_map m ON m.person_id = c.elem
WHERE c.kind = 'p'
GROUP BY c.comp, c.elem
