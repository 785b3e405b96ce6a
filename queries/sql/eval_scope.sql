-- The people whose lifecycle rows an incremental evaluation builds again (the others keep their published
-- rows, which only a person's touches, conversions or identities change): everyone acquired before or now,
-- whose rows move with as_of (recency, churn risk, value tiers), and the people the transform rebuilt,
-- under their new and their old ids (inc_aff). Everyone else was never acquired and keeps the same first
-- touch, so their published row ('reached', first touch and nothing else) is what a full run would write.
-- (A change of the settings, such as evaluation.acquisition_type, makes the run a full one.)
CREATE OR REPLACE TEMP TABLE eval_scope AS
SELECT person_id FROM lifecycle WHERE acquired_at IS NOT NULL
UNION
SELECT person_id FROM eval_acq
UNION
SELECT person_id FROM inc_aff
