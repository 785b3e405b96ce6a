-- How many of each conversion type's converters have each non-converting path (nc_paths), per lookback:
-- data_driven_paths.sql subtracts them, for its type, from everyone's counts (nc_path_counts). Counted
-- for every type in one read of nc_paths (20.5 M rows at 18 M people), where reading it once per type
-- took 0.6-1.3 s each. With a conversion window, converters are the people converting within it
-- (attributed_conversions).
CREATE OR REPLACE TEMP TABLE converter_path_counts AS
SELECT c.conversion_type, n.lookback_us, n.steps, count(*) AS n
FROM nc_paths n
JOIN (SELECT DISTINCT conversion_type, person_id FROM attributed_conversions) c USING (person_id)
GROUP BY ALL
