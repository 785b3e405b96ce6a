-- The data-driven part of attribution_credits, filled per conversion type by data_driven_credits.sql
-- (the touches' credits) and then by attribution_credits.sql.tmpl (the conversions without a touch).
-- The columns and types are those of attribution_credits_rule_based (migration 0045).
CREATE TABLE _next_attribution_credits_data_driven (
    conversion_id   VARCHAR,
    model           VARCHAR,
    touchpoint_id   VARCHAR,
    channel         VARCHAR,
    channel_group   VARCHAR,
    campaign        VARCHAR,
    credit          DOUBLE,
    revenue_credit  DECIMAL(38, 10),
    conversion_type VARCHAR,
    converted_at    TIMESTAMPTZ
)
