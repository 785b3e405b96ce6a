-- How many rejected rows typedrej holds.
SELECT count(*) FROM typedrej
