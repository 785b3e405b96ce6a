-- Publishes identifier -> person: the person id is a hash of the smallest identifier of its component.
CREATE OR REPLACE TABLE identity_map AS
SELECT n.node AS identifier, split_part(n.node, ':', 1) AS identifier_type,
       'p_' || substr(md5(min(n.node) OVER (PARTITION BY r.root)), 1, 16) AS person_id,
       count(*) OVER (PARTITION BY r.root) AS component_size
FROM id_nodes n JOIN id_roots r USING (nid)
