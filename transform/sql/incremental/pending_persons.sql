-- Every person the new sets touched, under its old and its new id, for the path rebuild.
INSERT INTO attrib_state.transform_pending
SELECT person_id FROM inc_persons
UNION
SELECT person_id FROM inc_new_ids
