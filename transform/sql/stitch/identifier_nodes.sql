-- Numbers every identifier node densely, in key order (deterministic).
CREATE OR REPLACE TEMP TABLE id_nodes AS
SELECT node, (row_number() OVER (ORDER BY node) - 1)::INTEGER AS nid
FROM (SELECT DISTINCT unnest(ids) AS node FROM id_sets)
