-- An incremental transform adds the new loads and clears the people it rebuilt.
DELETE FROM attrib_state.transform_state;
INSERT INTO attrib_state.transform_loads SELECT load_id FROM inc_new_loads;
DELETE FROM attrib_state.transform_pending WHERE person_id IN (SELECT person_id FROM inc_aff WHERE person_id > '');
