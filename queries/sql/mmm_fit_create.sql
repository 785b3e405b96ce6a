-- One row per media mix model fit (conversion type, or (all)); filled from Go (queries/incrementality.go).
CREATE TABLE _next_mmm_fit (
    conversion_type  VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,   -- fitted | not fitted | failed | disabled
    grain            VARCHAR,            -- day | week
    periods          INTEGER,
    window_start     DATE,
    window_end       DATE,
    r_squared        DOUBLE,
    nrmse            DOUBLE,
    holdout_mape     DOUBLE,
    baseline_share   DOUBLE,
    experiments_used INTEGER,
    experiment_fit   DOUBLE,             -- share of used experiments the fit agrees with (within 1.645 standard errors)
    seed             UBIGINT,
    warnings         VARCHAR,            -- '; '-separated, '' when none
    conversions      DOUBLE,             -- observed over the window
    fitted           DOUBLE,             -- fitted over the window (baseline + channels)
    baseline         DOUBLE              -- the baseline's part of fitted
)
