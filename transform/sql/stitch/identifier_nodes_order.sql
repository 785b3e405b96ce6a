-- identifier_nodes.sql numbers the nodes by their position in the table it writes in key order: the
-- connection must keep a result's order when it inserts it (DuckDB's default; the ingest sets it
-- otherwise for some inserts, on its own connections, and sets it back).
SET preserve_insertion_order = true
