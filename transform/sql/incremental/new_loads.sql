-- The covered loads that the published results do not include yet.
CREATE OR REPLACE TEMP TABLE inc_new_loads AS
SELECT load_id, rows_loaded FROM inc_covered
WHERE load_id NOT IN (SELECT load_id FROM attrib_state.transform_loads)
