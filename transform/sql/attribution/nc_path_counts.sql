-- How many people have each non-converting path (nc_paths), per lookback: counted once for all conversion
-- types, where data_driven_paths.sql grouped twenty million paths again for each type (it subtracts the
-- few converters' paths instead).
CREATE OR REPLACE TEMP TABLE nc_path_counts AS
SELECT lookback_us, steps, count(*) AS n FROM nc_paths GROUP BY ALL
