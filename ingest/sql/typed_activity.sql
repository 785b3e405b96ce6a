-- Types the staged activity events (logins, transactions) and names each row's first problem.
CREATE OR REPLACE TEMP TABLE typed AS
WITH t AS (
    SELECT
        s.__line,
        nullif(trim(s.activity_id), '')                          AS activity_id,
        s.occurred_at                                            AS occurred_at_raw,
        attrib_parse_ts(s.occurred_at)                           AS occurred_at,
        nullif(trim(s.customer_id), '')                          AS customer_id,
        nullif(trim(s.anonymous_id), '')                         AS anonymous_id,
        attrib_hmac(attrib_norm_email(s.email), p.ipad, p.opad)  AS email,
        attrib_hmac(attrib_norm_phone(s.phone, p.country_code), p.ipad, p.opad) AS phone,
        nullif(lower(trim(s.event)), '')                         AS event,
        s.value                                                  AS value_raw,
        attrib_parse_money(s.value)                              AS value,
        p.future_limit
    FROM stg s, ingest_params p
)
SELECT
    __line,
    coalesce(activity_id, 'ac_' || md5(to_json([CAST(epoch_us(occurred_at) AS VARCHAR), CAST(customer_id AS VARCHAR), CAST(anonymous_id AS VARCHAR), CAST(email AS VARCHAR), CAST(phone AS VARCHAR), CAST(event AS VARCHAR), CAST(value AS VARCHAR)]))) AS activity_id,
    occurred_at, customer_id, anonymous_id, email, phone, event, value,
    CASE
        WHEN occurred_at_raw IS NULL OR trim(occurred_at_raw) = '' OR occurred_at IS NULL THEN 'occurred_at'
        WHEN occurred_at > future_limit THEN 'occurred_at'
        WHEN coalesce(customer_id, anonymous_id, email, phone) IS NULL THEN 'customer_id|anonymous_id|email|phone'
        WHEN event IS NULL THEN 'event'
        WHEN value_raw IS NOT NULL AND trim(value_raw) <> '' AND value IS NULL THEN 'value'
    END AS __field,
    CASE
        WHEN occurred_at_raw IS NULL OR trim(occurred_at_raw) = '' THEN 'missing time'
        WHEN occurred_at IS NULL THEN 'unparseable time ' || to_json(occurred_at_raw)
        WHEN occurred_at > future_limit THEN 'time in the future ' || to_json(occurred_at_raw)
        WHEN coalesce(customer_id, anonymous_id, email, phone) IS NULL THEN 'no identifier'
        WHEN event IS NULL THEN 'missing event'
        WHEN value_raw IS NOT NULL AND trim(value_raw) <> '' AND value IS NULL THEN 'unparseable value ' || to_json(value_raw)
    END AS __reason
FROM t;
