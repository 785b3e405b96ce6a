-- The published conversions of the people an incremental run rebuilds (inc_aff): their rule-based
-- credits are built again, and the published ones are replaced at publication
-- (attribution_credits_rule_delete.sql); every other conversion's rule-based credits stay.
CREATE OR REPLACE TEMP TABLE inc_conversions AS
SELECT conversion_id FROM conversion_paths WHERE person_id IN (SELECT person_id FROM inc_aff WHERE person_id > '')
