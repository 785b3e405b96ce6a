-- The new identifier sets' elements, set by set, for the union-find (incremental stitching).
SELECT sid, node, person_id FROM inc_nodes ORDER BY sid
