-- Per fit and channel, what the media mix model measured (filled from Go); channel_incrementality.sql adds
-- spend, the path view and the ratios.
CREATE OR REPLACE TEMP TABLE mmm_channels (
    conversion_type    VARCHAR NOT NULL,
    channel            VARCHAR NOT NULL,
    window_start       DATE NOT NULL,
    window_end         DATE NOT NULL,
    inc                DOUBLE,
    inc_low            DOUBLE,
    inc_high           DOUBLE,
    rev                DOUBLE,
    rev_low            DOUBLE,
    rev_high           DOUBLE,
    current_spend      DOUBLE,   -- mean spend per period over the budget window
    marginal_roas      DOUBLE,
    method             VARCHAR NOT NULL,
    decay              DOUBLE,
    half_saturation    DOUBLE,
    shape              DOUBLE
)
