-- A full run's empty attrib_state.nc_paths, which the passes of nonconverting_paths.sql.tmpl fill:
-- per distinct lookback and person, the channel ids of the touches in time order.
CREATE OR REPLACE TABLE attrib_state.nc_paths (lookback_us BIGINT, person_id VARCHAR, steps INTEGER[])
