-- How many of the tables an incremental run builds on exist (4 = all).
SELECT count(*) FROM duckdb_tables()
WHERE NOT temporary
  AND ((schema_name = 'main' AND table_name IN ('conversion_paths', 'attribution_credits_rule_based', 'identity_map'))
    OR (schema_name = 'attrib_state' AND table_name = 'conv_touches'))
