-- Publishing an incremental run's conversion_paths (warehouse.Delta): the published rows of the people
-- it rebuilt (inc_aff, under their old and new ids) go, then _next_conversion_paths' rows come in.
DELETE FROM conversion_paths WHERE person_id IN (SELECT person_id FROM inc_aff WHERE person_id > '')
