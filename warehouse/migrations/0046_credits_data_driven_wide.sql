-- The data-driven part of attribution_credits is stored wide (issue 16): one row per conversion and
-- touch, with each data-driven model's credit in its own column, in attribution_credits_data_driven_wide.
-- attribution_credits_data_driven becomes a view that gives the same rows as before (one per
-- conversion, touch and model that gives the touch credit, revenue credit computed from the
-- conversion's revenue). Every run replaces the data-driven credits whole; written wide, a daily run
-- at 18 M people writes 3.7 M rows instead of 10.9 M, which took 11-13 s.
-- A warehouse with results keeps them: the conversion's revenue is recovered from its row with the
-- largest credit (revenue credit / credit, exact to DECIMAL(18, 4) since a conversion's credits sum
-- to 1 per model). The view's text is the transform's all_credits part for the published table
-- (data_driven_long in transform/sql/attribution/attribution_credits_view.sql.tmpl); a transform test checks they agree.
CREATE TABLE attribution_credits_data_driven_wide (
    conversion_id   VARCHAR,
    touchpoint_id   VARCHAR,
    channel         VARCHAR,
    channel_group   VARCHAR,
    campaign        VARCHAR,
    revenue         DECIMAL(18, 4),
    conversion_type VARCHAR,
    converted_at    TIMESTAMPTZ,
    markov          DOUBLE,
    shapley         DOUBLE,
    fractribution   DOUBLE
);
INSERT INTO attribution_credits_data_driven_wide
SELECT d.conversion_id, d.touchpoint_id, any_value(d.channel), any_value(d.channel_group), any_value(d.campaign),
       r.revenue, any_value(d.conversion_type), any_value(d.converted_at),
       max(d.credit) FILTER (WHERE d.model = 'markov'),
       max(d.credit) FILTER (WHERE d.model = 'shapley'),
       max(d.credit) FILTER (WHERE d.model = 'fractribution')
FROM attribution_credits_data_driven d
LEFT JOIN (
    SELECT conversion_id, CAST(arg_max(revenue_credit::DOUBLE / credit, credit) AS DECIMAL(18, 4)) AS revenue
    FROM attribution_credits_data_driven
    WHERE credit > 0
    GROUP BY conversion_id
) r USING (conversion_id)
GROUP BY d.conversion_id, d.touchpoint_id, r.revenue;
DROP VIEW attribution_credits;
DROP TABLE attribution_credits_data_driven;
CREATE VIEW attribution_credits_data_driven AS
SELECT conversion_id, 'markov' AS model, touchpoint_id, channel, channel_group, campaign, markov AS credit,
       CAST(markov * coalesce(revenue, 0) AS DECIMAL(38, 10)) AS revenue_credit, conversion_type, converted_at
FROM attribution_credits_data_driven_wide WHERE markov <> 0
UNION ALL
SELECT conversion_id, 'shapley' AS model, touchpoint_id, channel, channel_group, campaign, shapley AS credit,
       CAST(shapley * coalesce(revenue, 0) AS DECIMAL(38, 10)) AS revenue_credit, conversion_type, converted_at
FROM attribution_credits_data_driven_wide WHERE shapley <> 0
UNION ALL
SELECT conversion_id, 'fractribution' AS model, touchpoint_id, channel, channel_group, campaign, fractribution AS credit,
       CAST(fractribution * coalesce(revenue, 0) AS DECIMAL(38, 10)) AS revenue_credit, conversion_type, converted_at
FROM attribution_credits_data_driven_wide WHERE fractribution <> 0;
CREATE VIEW attribution_credits AS
SELECT * FROM attribution_credits_rule_based
UNION ALL
SELECT * FROM attribution_credits_data_driven;
