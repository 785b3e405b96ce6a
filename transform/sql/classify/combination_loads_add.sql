-- Records the new loads as included in attrib_state.attribute_combinations (in the same transaction).
INSERT INTO attrib_state.combination_loads SELECT load_id FROM combo_new_loads
