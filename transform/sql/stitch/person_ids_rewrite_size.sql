-- What sizes a rewrite's passes (warehouse.PassesOn): the identifiers of identity_map.
SELECT count(*) FROM identity_map
