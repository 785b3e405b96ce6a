-- What sizes a rewrite's passes (warehouse.Passes): the identifiers of identity_map of each type.
SELECT identifier_type, count(*) FROM identity_map GROUP BY identifier_type
