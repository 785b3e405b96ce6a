-- attribution_credits becomes a view over two tables (issue 16): attribution_credits_rule_based (the
-- rule-based models, of which a daily run rebuilds only the conversions of the people it rebuilds, in
-- place) and attribution_credits_data_driven (the data-driven models, refitted and replaced whole by
-- every run). A daily run at 18 M people then writes about 11 M credit rows instead of all 27 M.
-- A warehouse with results keeps them, split by model (the data-driven models as transform lists
-- them, dataDrivenModels in transform/datadriven.go; a test checks that the lists agree); a new
-- warehouse gets two empty tables.
CREATE TABLE IF NOT EXISTS attribution_credits (
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
);
CREATE TABLE attribution_credits_rule_based AS
SELECT * FROM attribution_credits WHERE model IS NULL OR NOT model IN ('markov', 'shapley', 'fractribution');
CREATE TABLE attribution_credits_data_driven AS
SELECT * FROM attribution_credits WHERE model IN ('markov', 'shapley', 'fractribution');
DROP TABLE attribution_credits;
CREATE VIEW attribution_credits AS
SELECT * FROM attribution_credits_rule_based
UNION ALL
SELECT * FROM attribution_credits_data_driven;
