-- Edges from the first identifier of each set to the others (a star keeps connectivity).
SELECT a.nid, b.nid
FROM (SELECT ids[1] AS head, unnest(ids[2:]) AS other FROM id_sets WHERE len(ids) > 1) e
JOIN id_nodes a ON a.node = e.head
JOIN id_nodes b ON b.node = e.other
