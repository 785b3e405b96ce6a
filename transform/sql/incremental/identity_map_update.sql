-- Moves the identifiers of merged or grown persons to their new person id and size.
UPDATE identity_map AS m SET person_id = x.new_id, component_size = x.size
FROM (SELECT p.person_id AS old_id, n.person_id AS new_id, n.size
      FROM inc_persons p JOIN inc_new_ids n USING (comp) WHERE p.person_id > '') x
WHERE m.person_id = x.old_id
  AND (x.new_id <> x.old_id OR m.component_size <> x.size)
