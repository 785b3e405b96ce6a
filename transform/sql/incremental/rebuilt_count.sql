-- The people this run rebuilt who still exist (not merged into another person): every person of this
-- run's components (inc_new_ids: identity_map names each of them once applyIncremental has run), and of
-- the rest of inc_aff those identity_map still names. The rest are people a run that did not publish left
-- pending (this run's merged-away ids are in inc_persons, and are gone): usually none, and then DuckDB
-- skips the scan. Looking every rebuilt person up among identity_map's 36.8 M rows (at 18 M people)
-- cost 0.9-1.1 s; the two parts: 0.08 s.
WITH rest AS (
    SELECT person_id FROM inc_aff
    EXCEPT SELECT person_id FROM inc_persons
    EXCEPT SELECT person_id FROM inc_new_ids
)
SELECT (SELECT count(*) FROM inc_aff WHERE person_id IN (SELECT person_id FROM inc_new_ids))
     + (SELECT count(*) FROM rest r WHERE EXISTS (SELECT 1 FROM identity_map m WHERE m.person_id = r.person_id))
