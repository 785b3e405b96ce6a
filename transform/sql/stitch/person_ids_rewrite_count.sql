-- The rows of the scratch table of a rewrite, checked against the table's before it replaces it.
SELECT count(*) FROM main.stitch_person_ids_rewrite
