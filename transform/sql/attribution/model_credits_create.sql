-- Credits of the data-driven models (filled from the Go kernels).
CREATE OR REPLACE TEMP TABLE model_credits (
    conversion_id VARCHAR, model VARCHAR, touchpoint_id VARCHAR, channel VARCHAR, campaign VARCHAR, credit DOUBLE
)
