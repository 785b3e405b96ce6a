-- Persons in identity_map.
SELECT count(DISTINCT person_id) FROM identity_map
