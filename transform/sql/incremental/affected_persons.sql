-- The people whose paths this run rebuilds.
CREATE OR REPLACE TEMP TABLE inc_aff AS
SELECT DISTINCT person_id FROM attrib_state.transform_pending
