-- Publishing an incremental evaluation's lifecycle (warehouse.Delta): the rows of the people in eval_scope
-- go, then _next_lifecycle's rows (those of the people in eval_scope who still exist) come in.
DELETE FROM lifecycle WHERE person_id IN (SELECT person_id FROM eval_scope WHERE person_id > '')
