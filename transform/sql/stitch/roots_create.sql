-- Each identifier node's component root after the guard (filled from Go): comp is its component
-- before the guard, capped whether that was over identity.max_component_size, cut whether the
-- guard cut the node out; rep is the smallest node of its component after the guard (nodes are
-- numbered in identifier order, so its identifier is the component's smallest) and size how many
-- nodes that component has.
CREATE OR REPLACE TEMP TABLE id_roots (nid INTEGER, root INTEGER, comp INTEGER, capped BOOLEAN, cut BOOLEAN, rep INTEGER, size INTEGER)
