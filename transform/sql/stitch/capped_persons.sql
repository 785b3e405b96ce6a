-- Persons of components the guard cut up (see identity_oversized).
INSERT INTO attrib_state.capped_persons
SELECT DISTINCT m.person_id
FROM id_nodes n JOIN id_roots r USING (nid) JOIN identity_map m ON m.identifier = n.node
WHERE r.capped
