-- The links between identifiers, as the members of every set of two or more (id_sets): sid the set (its
-- row of id_sets), pos its place in the set's list (1: the first, which the set's other members are
-- linked to: a star keeps connectivity), nid the member's node id. Go links each member to its set's
-- (unionEdges, guard.go). One join with id_nodes for every member: joining each set's first member and
-- then each of its others took 26.0 s against 16.3 s at 18 M people (29.2 M members, 2026-12-07).
SELECT s.sid::INTEGER AS sid, s.pos::INTEGER AS pos, n.nid
FROM (
    SELECT sid, unnest(ids) AS node, unnest(range(1, len(ids) + 1)) AS pos
    FROM (SELECT rowid AS sid, ids FROM id_sets WHERE len(ids) > 1)
) s
JOIN id_nodes n USING (node)
