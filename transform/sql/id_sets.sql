-- Every distinct set of identifiers seen together on one row, as typed node keys
-- (c: customer, a: anonymous, e: email hash, p: phone hash), without blocked identifiers.
-- Rows are made distinct on the four columns first (cheap), then turned into lists.
CREATE OR REPLACE TEMP TABLE id_sets AS
WITH r AS (
    SELECT DISTINCT customer_id, anonymous_id, email, phone FROM (
        SELECT customer_id, anonymous_id, email, phone FROM touchpoints
        UNION ALL SELECT customer_id, anonymous_id, email, phone FROM conversions
        UNION ALL SELECT customer_id, anonymous_id, email, phone FROM activity
        UNION ALL SELECT customer_id, anonymous_id, email, phone FROM identity_links
    )
),
k AS (
    SELECT DISTINCT list_filter(['c:' || customer_id, 'a:' || anonymous_id, 'e:' || email, 'p:' || phone],
                                x -> x IS NOT NULL AND NOT list_contains(b.blocked, x)) AS ids
    FROM r, (SELECT coalesce(list(node), []::VARCHAR[]) AS blocked FROM id_blocked) b
)
SELECT ids FROM k WHERE len(ids) > 0
