-- Persons whose id changed: merged into another, or given a new smallest identifier.
SELECT count(*) FROM inc_persons p JOIN inc_new_ids n USING (comp) WHERE p.person_id <> n.person_id
