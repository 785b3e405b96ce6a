-- Components over identity.max_component_size (shared devices, placeholder phones), before the
-- guard broke them up: their size, how many customer numbers they would have fused, the
-- identifiers cut out (no longer used for stitching) and how many persons remain.
CREATE OR REPLACE TABLE identity_oversized AS
SELECT 'p_' || substr(md5(min(n.node)), 1, 16) AS component, count(*) AS identifiers,
       count(*) FILTER (WHERE n.node LIKE 'c:%') AS customer_ids,
       count(*) FILTER (WHERE r.cut) AS cut_count,
       coalesce(list(n.node ORDER BY n.node) FILTER (WHERE r.cut), []::VARCHAR[])[1:100] AS cut_identifiers,
       count(DISTINCT r.root) AS persons_after,
       list(n.node ORDER BY n.node)[1:20] AS sample_identifiers
FROM id_nodes n JOIN id_roots r USING (nid)
WHERE r.capped
GROUP BY r.comp
ORDER BY identifiers DESC, component
