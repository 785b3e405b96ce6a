-- The logical lines of the records the CSV reader could not read.
SELECT line FROM csvrej
