-- The loads of touches and spend whose rows attrib_state.attribute_combinations does not include yet (all
-- of them after combinations_clear.sql, or in a warehouse whose runs predate the table). Taken from the
-- rows themselves (a scan of the load_id column only), not from ingest_files.
CREATE OR REPLACE TEMP TABLE combo_new_loads AS
SELECT load_id FROM (SELECT DISTINCT load_id FROM touchpoints UNION SELECT DISTINCT load_id FROM spend)
WHERE load_id NOT IN (SELECT load_id FROM attrib_state.combination_loads)
