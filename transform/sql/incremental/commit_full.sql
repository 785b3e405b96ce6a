-- A full transform covers every load it saw at its start and leaves nobody pending.
DELETE FROM attrib_state.transform_state;
DELETE FROM attrib_state.transform_loads;
INSERT INTO attrib_state.transform_loads SELECT load_id FROM inc_covered;
DELETE FROM attrib_state.transform_pending;
