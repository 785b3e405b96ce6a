-- The media mix model fit of one conversion type ('(all)' unless one is chosen): status, window, quality
-- and warnings. $1 type.
SELECT conversion_type, status, grain, periods, window_start, window_end,
       r_squared, nrmse, holdout_mape, baseline_share, experiments_used, experiment_fit, warnings
FROM mmm_fit
WHERE conversion_type = $1::VARCHAR
