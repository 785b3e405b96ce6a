-- What sizes the passes of eval_person.sql.tmpl in an incremental evaluation (warehouse.PassesOn): two
-- identifiers for each person of eval_scope, as eval_person_size.sql counts identifiers.
SELECT 2 * count(*) FROM eval_scope
