-- 1 when the kept non-converting paths can be updated person by person: they and the channel ids
-- exist, and they cover exactly the lookbacks in use now (a new lookback needs every person's paths).
SELECT CASE
    WHEN (SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'attrib_state' AND table_name IN ('nc_paths', 'channel_ids')) < 2 THEN 0
    WHEN (SELECT list(DISTINCT lookback_us ORDER BY lookback_us) FROM lookbacks)
         IS NOT DISTINCT FROM (SELECT list(DISTINCT lookback_us ORDER BY lookback_us) FROM attrib_state.nc_paths) THEN 1
    ELSE 0 END
