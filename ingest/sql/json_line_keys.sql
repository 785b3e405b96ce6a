-- The keys of the first 10,000 good lines of an NDJSON file read line by line (the file's columns).
CREATE OR REPLACE TEMP TABLE jsonkeys AS
SELECT DISTINCT unnest(json_keys(CAST(json AS JSON))) AS k
FROM (SELECT json FROM attrib_arrow_src WHERE reason IS NULL AND line > 0 LIMIT 10000) -- line > 0: a prefix of the view's columns (jsonLineView)
