-- The raw record of each rejected row, with the keys that carry email and phone masked ($1: the JSON
-- patch that masks them, as rawRejectsSQL does for the other readers).
CREATE OR REPLACE TEMP TABLE rawrej AS
SELECT __line, CAST(json_merge_patch(CAST(text AS JSON), $1::JSON) AS VARCHAR) AS raw FROM ndjfound
