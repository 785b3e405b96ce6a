-- Each component's person after the new sets: a hash of its smallest identifier (as identity_map
-- names persons) and its size.
CREATE OR REPLACE TEMP TABLE inc_new_ids AS
WITH parts AS (
    SELECT comp, min_node AS node, size FROM inc_persons
    UNION ALL
    SELECT comp, elem, 1 FROM inc_comp WHERE kind = 'n'
)
SELECT comp, 'p_' || substr(md5(min(node)), 1, 16) AS person_id, sum(size)::BIGINT AS size
FROM parts GROUP BY comp
