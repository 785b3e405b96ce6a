-- Rule-based models: each converting path's credits sum to 1 (DESIGN.md "Attribution models").
-- Parameters: direct channel name, time-decay half-life in days, position-based first and last weights.
CREATE OR REPLACE TEMP TABLE rule_credits AS
WITH p AS (SELECT ?::VARCHAR AS direct, ?::DOUBLE AS half_life, ?::DOUBLE AS pf, ?::DOUBLE AS pl),
ct AS (
    SELECT c.*,
           max(CASE WHEN c.channel <> p.direct THEN c.pos END) OVER (PARTITION BY c.conversion_id) AS last_nd,
           pow(2.0, -((epoch(c.converted_at) - epoch(c.occurred_at)) / 86400.0) / p.half_life) AS w
    FROM conv_touches c, p
),
cw AS (SELECT ct.*, sum(w) OVER (PARTITION BY conversion_id) AS wsum FROM ct)
SELECT conversion_id, model, touchpoint_id, channel, campaign, credit
FROM (
    SELECT cw.conversion_id, m.model, cw.touchpoint_id, cw.channel, cw.campaign,
        CASE m.model
            WHEN 'first_touch' THEN (cw.pos = 1)::INT::DOUBLE
            WHEN 'last_touch' THEN (cw.pos = cw.n)::INT::DOUBLE
            WHEN 'last_non_direct' THEN (cw.pos = coalesce(cw.last_nd, cw.n))::INT::DOUBLE
            WHEN 'linear' THEN 1.0 / cw.n
            WHEN 'position_based' THEN CASE
                WHEN cw.n = 1 THEN 1.0
                WHEN cw.n = 2 THEN 0.5
                WHEN cw.pos = 1 THEN p.pf
                WHEN cw.pos = cw.n THEN p.pl
                ELSE (1.0 - p.pf - p.pl) / (cw.n - 2) END
            WHEN 'time_decay' THEN cw.w / cw.wsum
        END AS credit
    FROM cw, p, models m
    WHERE m.model IN ('first_touch', 'last_touch', 'last_non_direct', 'linear', 'position_based', 'time_decay')
)
WHERE credit > 0
