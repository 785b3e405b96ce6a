-- Until a full run commits, nothing says what the published results cover.
DELETE FROM attrib_state.transform_state
