-- What sizes the passes that count a table's changed person ids (warehouse.PassesOn): the identifiers of
-- identity_map.
SELECT count(*) FROM identity_map
