-- Loaded experiments (lift, geo, holdout and go-dark tests) in a stable order; an empty conversion type
-- means all types.
SELECT coalesce(experiment_id, '') AS experiment_id, channel, coalesce(conversion_type, '') AS conversion_type,
       start_date, end_date, incremental_conversions::DOUBLE, standard_error::DOUBLE, coalesce(design, '') AS design
FROM experiments
ORDER BY start_date, channel, experiment_id
