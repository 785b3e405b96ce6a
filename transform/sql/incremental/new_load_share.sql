-- Rows in the new loads and in all covered loads.
SELECT coalesce((SELECT sum(rows_loaded) FROM inc_new_loads), 0)::BIGINT,
       coalesce((SELECT sum(rows_loaded) FROM inc_covered), 0)::BIGINT
