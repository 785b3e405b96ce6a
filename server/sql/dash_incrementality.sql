-- Path vs incremental per channel for one fit: conversions the configured acquisition model credits
-- (attribution_model) beside the media mix model's incremental conversions with their 90% interval.
-- $1 channel, $2 type.
SELECT channel, channel_group, window_start, window_end, spend,
       attribution_model, attributed_conversions,
       incremental_conversions, incremental_conversions_low, incremental_conversions_high, incrementality_factor,
       incremental_revenue, incremental_revenue_low, incremental_revenue_high,
       cost_per_incremental_conversion, iroas, marginal_roas, method
FROM channel_incrementality
WHERE conversion_type = $2::VARCHAR AND ($1::VARCHAR IS NULL OR channel = $1::VARCHAR)
ORDER BY incremental_conversions DESC NULLS LAST, attributed_conversions DESC, channel
