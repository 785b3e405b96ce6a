-- How many rejected rows the lines found in Go account for (they must be the check pass's count).
SELECT count(*) FROM ndjfound
