-- The record numbers of the rejected rows.
SELECT __line FROM typedrej
