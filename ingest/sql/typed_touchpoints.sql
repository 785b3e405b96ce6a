-- Types the staged touchpoints (all VARCHAR, canonical names) and names each row's first problem.
CREATE OR REPLACE TEMP TABLE typed AS
WITH t AS (
    SELECT
        s.__line,
        nullif(trim(s.touchpoint_id), '')                        AS touchpoint_id,
        s.occurred_at                                            AS occurred_at_raw,
        attrib_parse_ts(s.occurred_at)                           AS occurred_at,
        nullif(trim(s.customer_id), '')                          AS customer_id,
        nullif(trim(s.anonymous_id), '')                         AS anonymous_id,
        attrib_hmac(attrib_norm_email(s.email), p.ipad, p.opad)  AS email,
        attrib_hmac(attrib_norm_phone(s.phone, p.country_code), p.ipad, p.opad) AS phone,
        nullif(trim(s.channel), '')                              AS channel,
        nullif(trim(s.source), '')                               AS source,
        nullif(trim(s.medium), '')                               AS medium,
        nullif(trim(s.campaign), '')                             AS campaign,
        nullif(trim(s.content), '')                              AS content,
        nullif(trim(s.term), '')                                 AS term,
        nullif(lower(trim(s.interaction)), '')                   AS interaction,
        s.cost                                                   AS cost_raw,
        attrib_parse_money(s.cost)                               AS cost,
        nullif(trim(s.location), '')                             AS location,
        p.future_limit
    FROM stg s, ingest_params p
)
SELECT
    __line,
    coalesce(touchpoint_id, 'tp_' || md5(to_json([CAST(epoch_us(occurred_at) AS VARCHAR), CAST(customer_id AS VARCHAR), CAST(anonymous_id AS VARCHAR), CAST(email AS VARCHAR), CAST(phone AS VARCHAR), CAST(channel AS VARCHAR), CAST(source AS VARCHAR), CAST(medium AS VARCHAR), CAST(campaign AS VARCHAR), CAST(content AS VARCHAR), CAST(term AS VARCHAR), CAST(interaction AS VARCHAR), CAST(cost AS VARCHAR), CAST(location AS VARCHAR)]))) AS touchpoint_id,
    occurred_at, customer_id, anonymous_id, email, phone, channel, source, medium, campaign, content, term,
    interaction, cost, location,
    CASE
        WHEN occurred_at_raw IS NULL OR trim(occurred_at_raw) = '' THEN 'occurred_at'
        WHEN occurred_at IS NULL THEN 'occurred_at'
        WHEN occurred_at > future_limit THEN 'occurred_at'
        WHEN coalesce(customer_id, anonymous_id, email, phone) IS NULL THEN 'customer_id|anonymous_id|email|phone'
        WHEN cost_raw IS NOT NULL AND trim(cost_raw) <> '' AND cost IS NULL THEN 'cost'
        WHEN cost < 0 THEN 'cost'
    END AS __field,
    CASE
        WHEN occurred_at_raw IS NULL OR trim(occurred_at_raw) = '' THEN 'missing time'
        WHEN occurred_at IS NULL THEN 'unparseable time ' || to_json(occurred_at_raw)
        WHEN occurred_at > future_limit THEN 'time in the future ' || to_json(occurred_at_raw)
        WHEN coalesce(customer_id, anonymous_id, email, phone) IS NULL THEN 'no identifier'
        WHEN cost_raw IS NOT NULL AND trim(cost_raw) <> '' AND cost IS NULL THEN 'unparseable cost ' || to_json(cost_raw)
        WHEN cost < 0 THEN 'negative cost ' || to_json(cost_raw)
    END AS __reason
FROM t;
