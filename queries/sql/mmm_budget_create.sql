-- Budget moves per spend channel on the (all) fit's response curves (filled from Go);
-- budget_recommendations.sql turns them into the published table.
CREATE OR REPLACE TEMP TABLE mmm_budget (
    channel                       VARCHAR NOT NULL,
    budget_start                  DATE NOT NULL,
    budget_end                    DATE NOT NULL,
    recommended                   VARCHAR,            -- exact decimal text; NULL: keeps its spend (held)
    roi                           DOUBLE,
    marginal_roi                  DOUBLE,
    recommended_marginal_roi      DOUBLE,
    expected_revenue_change       DOUBLE NOT NULL,
    expected_revenue_change_low   DOUBLE NOT NULL,
    expected_revenue_change_high  DOUBLE NOT NULL,
    basis                         VARCHAR NOT NULL,
    action                        VARCHAR NOT NULL,
    reason                        VARCHAR NOT NULL
)
