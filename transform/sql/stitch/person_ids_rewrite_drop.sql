-- Drops the scratch table of person_ids_rewrite_scratch.sql.tmpl.
DROP TABLE main.stitch_person_ids_rewrite
