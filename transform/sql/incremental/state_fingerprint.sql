-- The settings fingerprint of the published results (no row: no complete earlier run).
SELECT fingerprint FROM attrib_state.transform_state
