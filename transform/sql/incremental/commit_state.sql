-- Records the settings the published results were built with (parameter: their fingerprint);
-- runs after commit_full or commit_incremental, which delete the previous record.
INSERT INTO attrib_state.transform_state VALUES (?, now())
