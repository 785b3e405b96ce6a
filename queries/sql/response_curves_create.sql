-- Fitted steady-state response per channel, fit and spend level per period; filled from Go.
CREATE TABLE _next_response_curves (
    conversion_type         VARCHAR NOT NULL,
    channel                 VARCHAR NOT NULL,
    period_spend            DOUBLE NOT NULL,
    incremental_conversions DOUBLE NOT NULL,
    incremental_revenue     DOUBLE NOT NULL,
    marginal_roas           DOUBLE,
    is_current              BOOLEAN NOT NULL
)
