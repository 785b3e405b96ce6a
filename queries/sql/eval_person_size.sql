-- What sizes the passes of eval_person.sql.tmpl (warehouse.PassesOn): the identifiers of identity_map
-- (people have about two each).
SELECT count(*) FROM identity_map
