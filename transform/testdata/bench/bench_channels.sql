-- Dense channel ids in name order for the benchmark paths.
CREATE OR REPLACE TABLE bench_channels AS
SELECT channel, (row_number() OVER (ORDER BY channel) - 1)::INTEGER AS cid
FROM (SELECT DISTINCT unnest(names) AS channel FROM raw_paths);
