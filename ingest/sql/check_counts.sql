-- The check pass's counts, plus the records the reader could not read (csvrej).
SELECT n, bad, distinct_ids, no_id, (SELECT count(*) FROM csvrej) FROM filecheck
