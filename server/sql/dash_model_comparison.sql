-- Model comparison: each model's conversions and share per channel. $1 channel, $2 type.
SELECT channel, model, conversions, conversion_share, revenue
FROM model_comparison
WHERE ($1::VARCHAR IS NULL OR channel = $1::VARCHAR) AND conversion_type = $2::VARCHAR
ORDER BY channel, model
