-- See combinations_clear.sql.
DELETE FROM attrib_state.combination_loads
