-- Adds the new identifiers.
INSERT INTO identity_map BY NAME
SELECT c.elem AS identifier, split_part(c.elem, ':', 1) AS identifier_type, n.person_id, n.size AS component_size
FROM inc_comp c JOIN inc_new_ids n USING (comp)
WHERE c.kind = 'n'
