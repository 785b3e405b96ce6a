-- Fills id_roots from the Arrow view Go registers over the union-find (rootsReader in rootsreader.go):
-- one row per identifier node, built batch by batch as DuckDB reads them.
INSERT INTO id_roots SELECT nid, root, comp, capped, cut, rep, size FROM attrib_id_roots_in
