-- An incremental run's touches of the people in inc_aff (the people it rebuilds), read once from the
-- touches view: the conversion touches, person touches, channel ids and non-converting paths of those
-- people read this table, not the view. Each read of the view scans every column of every touchpoint (a
-- filter on person_id by a join does not spare the other columns): at 18 M people about 11 s each, four
-- times a run.
CREATE OR REPLACE TEMP TABLE aff_touches AS
SELECT * FROM touches WHERE person_id IN (SELECT person_id FROM inc_aff)
