-- The people this run rebuilt who still exist (not merged into another person).
SELECT count(*) FROM inc_aff a WHERE EXISTS (SELECT 1 FROM identity_map m WHERE m.person_id = a.person_id)
