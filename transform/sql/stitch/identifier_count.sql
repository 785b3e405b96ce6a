-- How many identifier nodes id_nodes numbers (the union-find's size).
SELECT count(*) FROM id_nodes
