-- Publishes identifier -> person: the person id is a hash of the smallest identifier of its component.
-- (Aggregated per component, then joined back: cheaper than window functions over every identifier.)
CREATE OR REPLACE TABLE identity_map AS
WITH nr AS (SELECT n.node, r.root FROM id_nodes n JOIN id_roots r USING (nid)),
comp AS (SELECT root, 'p_' || substr(md5(min(node)), 1, 16) AS person_id, count(*) AS component_size FROM nr GROUP BY root)
SELECT nr.node AS identifier, split_part(nr.node, ':', 1) AS identifier_type, comp.person_id, comp.component_size
FROM nr JOIN comp USING (root)
