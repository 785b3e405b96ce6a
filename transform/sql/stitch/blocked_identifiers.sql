-- The block list's node keys (bound: the list of them).
CREATE OR REPLACE TEMP TABLE id_blocked AS SELECT unnest(?::VARCHAR[]) AS node
