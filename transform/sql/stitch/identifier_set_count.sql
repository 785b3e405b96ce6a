-- How many rows id_sets has (its row ids run from 0): the size of unionEdges' table of each set's
-- first member seen.
SELECT count(*) FROM id_sets
