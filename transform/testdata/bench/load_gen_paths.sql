-- Loads a gen_paths.py file (path;total_conversions;total_conversion_value;total_null) as
-- aggregated path counts: steps are channel ids (channels numbered in name order).
-- Parameter: the file.
CREATE OR REPLACE TABLE raw_paths AS
SELECT row_number() OVER () AS pid, string_split(path, ' > ') AS names,
       total_conversions::DOUBLE AS conversions, total_null::DOUBLE AS nulls, total_conversion_value::DOUBLE AS value
FROM read_csv(?, delim = ';', header = true,
              columns = {'path': 'VARCHAR', 'total_conversions': 'BIGINT', 'total_conversion_value': 'DOUBLE', 'total_null': 'BIGINT'});
