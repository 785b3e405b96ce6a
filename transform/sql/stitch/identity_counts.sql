-- Identifiers and persons in identity_map.
SELECT count(*), count(DISTINCT person_id) FROM identity_map
