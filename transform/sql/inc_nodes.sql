-- The identifier sets of the new loads' rows (as id_sets builds them for all rows), one row per set
-- member, with the person each identifier already belongs to (NULL for a new identifier).
CREATE OR REPLACE TEMP TABLE inc_nodes AS
WITH nl AS (SELECT load_id FROM inc_new_loads),
r AS (
    SELECT DISTINCT customer_id, anonymous_id, email, phone FROM (
        SELECT customer_id, anonymous_id, email, phone FROM touchpoints WHERE load_id IN (SELECT load_id FROM nl)
        UNION ALL SELECT customer_id, anonymous_id, email, phone FROM conversions WHERE load_id IN (SELECT load_id FROM nl)
        UNION ALL SELECT customer_id, anonymous_id, email, phone FROM activity WHERE load_id IN (SELECT load_id FROM nl)
        UNION ALL SELECT customer_id, anonymous_id, email, phone FROM identity_links WHERE load_id IN (SELECT load_id FROM nl)
    )
),
k AS (
    SELECT DISTINCT list_filter(['c:' || customer_id, 'a:' || anonymous_id, 'e:' || email, 'p:' || phone],
                                x -> x IS NOT NULL AND NOT list_contains(b.blocked, x)) AS ids
    FROM r, (SELECT coalesce(list(node), []::VARCHAR[]) AS blocked FROM id_blocked) b
),
s AS (SELECT (row_number() OVER ())::BIGINT AS sid, ids FROM k WHERE len(ids) > 0),
u AS (SELECT sid, unnest(ids) AS node FROM s)
SELECT u.sid, u.node, m.person_id
FROM u LEFT JOIN identity_map m ON m.identifier = u.node
