-- 0043: the experiments dataset (DESIGN.md "Canonical inputs", "Incrementality"): lift, geo, holdout and
-- go-dark tests that calibrate the media mix model. One row per experiment and conversion type; rows may
-- overlap in time. standard_error is always set: as delivered, or from the 90% interval as
-- (high - low) / (2 x 1.645). Money has no currency column and is taken to be in the reporting currency.
CREATE TABLE experiments (
    experiment_id           VARCHAR NOT NULL, -- given, or a hash of the row's canonical content
    channel                 VARCHAR NOT NULL,
    conversion_type         VARCHAR,          -- NULL: all conversion types
    start_date              DATE NOT NULL,
    end_date                DATE NOT NULL,    -- inclusive, not before start_date
    incremental_conversions DOUBLE NOT NULL,
    standard_error          DOUBLE NOT NULL,  -- > 0
    low                     DOUBLE,           -- 90% interval, as delivered
    high                    DOUBLE,
    incremental_revenue     DECIMAL(18, 4),   -- in the reporting currency
    spend                   DECIMAL(18, 4),   -- in the reporting currency, not negative
    design                  VARCHAR,          -- lower-cased: geo, holdout, go-dark, ...
    notes                   VARCHAR,
    source_name             VARCHAR NOT NULL,
    load_id                 VARCHAR NOT NULL
);
