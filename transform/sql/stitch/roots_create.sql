-- Each identifier node's component root after the guard (filled from Go): comp is its component
-- before the guard, capped whether that was over identity.max_component_size, cut whether the
-- guard cut the node out.
CREATE OR REPLACE TEMP TABLE id_roots (nid INTEGER, root INTEGER, comp INTEGER, capped BOOLEAN, cut BOOLEAN)
