-- Contribution per period, channel and fit (channel '(baseline)' holds the baseline); filled from Go.
CREATE TABLE _next_incrementality_timeseries (
    period_start      DATE NOT NULL,
    conversion_type   VARCHAR NOT NULL,
    channel           VARCHAR NOT NULL,
    spend             DOUBLE,
    contribution      DOUBLE NOT NULL,
    contribution_low  DOUBLE,
    contribution_high DOUBLE
)
