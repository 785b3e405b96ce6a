-- The loads whose rows attrib_state.attribute_combinations does not include yet (all of them after
-- combinations_clear.sql, or in a warehouse whose runs predate the table).
CREATE OR REPLACE TEMP TABLE combo_new_loads AS
SELECT DISTINCT load_id FROM ingest_files
WHERE status = 'loaded' AND load_id NOT IN (SELECT load_id FROM attrib_state.combination_loads)
