-- identity_map's identifiers of each type: they size a rewrite's passes per type, and their sum the
-- passes that count a table's changed person ids (warehouse.Passes).
SELECT identifier_type, count(*) FROM identity_map GROUP BY identifier_type
