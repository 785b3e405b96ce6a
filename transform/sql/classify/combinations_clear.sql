-- A full run finds the attribute combinations from every row again: it forgets the kept ones, and the loads
-- they include (combination_loads_clear.sql, in the same transaction).
DELETE FROM attrib_state.attribute_combinations
