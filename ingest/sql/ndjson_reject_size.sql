-- How many bytes the rejected objects' texts (ndjrej) take: above a bound they are not handed to Go.
SELECT coalesce(sum(strlen(text)), 0) FROM ndjrej
