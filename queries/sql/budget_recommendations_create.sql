-- Budget recommendations, one row per paid channel (filled from Go: see queries/budget.go).
CREATE TABLE _next_budget_recommendations (
    channel           VARCHAR NOT NULL,
    channel_group     VARCHAR,
    model             VARCHAR NOT NULL,   -- the attribution model whose revenue credit the curve is fitted to
    spend_weeks       INTEGER NOT NULL,   -- weeks with spend
    fit_weeks         INTEGER NOT NULL,   -- weeks with spend and attributed revenue (the curve's points)
    spend             DECIMAL(38, 4) NOT NULL,
    revenue           DECIMAL(38, 10) NOT NULL,
    roas              DOUBLE,
    roi               DOUBLE,
    curve_a           DOUBLE,             -- revenue = curve_a x spend^curve_b, weekly
    curve_b           DOUBLE,
    r2                DOUBLE,
    marginal_roas     DOUBLE,             -- slope of the curve at the current mean weekly spend
    marginal_roi      DOUBLE,             -- marginal_roas - 1
    recommended_spend DECIMAL(38, 2) NOT NULL,
    change            DECIMAL(38, 2) NOT NULL,
    change_factor     DOUBLE NOT NULL,    -- recommended_spend / spend
    action            VARCHAR NOT NULL,   -- increase | decrease | keep | hold
    reason            VARCHAR NOT NULL,
    basis             VARCHAR NOT NULL
)
