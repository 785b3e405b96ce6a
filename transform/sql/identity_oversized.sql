-- Components over the size cap (shared devices, placeholder phones): reported, not merged.
CREATE OR REPLACE TABLE identity_oversized AS
SELECT 'p_' || substr(md5(min(n.node)), 1, 16) AS component, count(*) AS identifiers,
       count(*) FILTER (WHERE n.node LIKE 'c:%') AS customer_ids,
       list(n.node ORDER BY n.node)[1:20] AS sample_identifiers
FROM id_nodes n JOIN id_roots r USING (nid)
WHERE r.capped
GROUP BY r.comp
