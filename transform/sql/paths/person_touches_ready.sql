-- 1 when attrib_state.person_touches exists, so an incremental run can update it person by person;
-- 0 in a warehouse made before it existed (then the run fills it for everyone).
SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'attrib_state' AND table_name = 'person_touches'
