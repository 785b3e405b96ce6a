-- Identifier node -> dense node id (0, 1, ... in key order): the row number of id_node_keys
-- (identifier_nodes.sql), which holds the nodes in key order.
CREATE OR REPLACE TEMP VIEW id_nodes AS
SELECT node, rowid::INTEGER AS nid FROM id_node_keys
