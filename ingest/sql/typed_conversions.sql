-- Types the staged conversions, converts revenue to the reporting currency, and names each row's first problem.
CREATE OR REPLACE TEMP TABLE typed AS
WITH t AS (
    SELECT
        s.__line,
        nullif(trim(s.conversion_id), '')                        AS conversion_id,
        s.occurred_at                                            AS occurred_at_raw,
        attrib_parse_ts(s.occurred_at)                           AS occurred_at,
        nullif(trim(s.customer_id), '')                          AS customer_id,
        nullif(trim(s.anonymous_id), '')                         AS anonymous_id,
        attrib_hmac(attrib_norm_email(s.email), p.ipad, p.opad)  AS email,
        attrib_hmac(attrib_norm_phone(s.phone, p.country_code), p.ipad, p.opad) AS phone,
        nullif(trim(s.conversion_type), '')                      AS conversion_type,
        s.revenue                                                AS revenue_raw,
        attrib_parse_money(s.revenue)                            AS revenue_original,
        coalesce(nullif(upper(trim(s.currency)), ''), p.currency) AS currency,
        nullif(trim(s.product), '')                              AS product,
        p.currency                                               AS reporting_currency,
        p.future_limit
    FROM stg s, ingest_params p
),
fx AS (
    SELECT t.*,
        CASE WHEN t.currency = t.reporting_currency THEN 1::DECIMAL(18, 8) ELSE r.rate END AS rate
    FROM t
    LEFT JOIN fx_rates r ON r.currency = t.currency AND r.date = t.occurred_at::DATE
)
SELECT
    __line,
    coalesce(conversion_id, 'cv_' || md5(to_json([CAST(epoch_us(occurred_at) AS VARCHAR), CAST(customer_id AS VARCHAR), CAST(anonymous_id AS VARCHAR), CAST(email AS VARCHAR), CAST(phone AS VARCHAR), CAST(conversion_type AS VARCHAR), CAST(revenue_original AS VARCHAR), CAST(currency AS VARCHAR), CAST(product AS VARCHAR)]))) AS conversion_id,
    occurred_at, customer_id, anonymous_id, email, phone, conversion_type,
    CAST(revenue_original * rate AS DECIMAL(18, 4)) AS revenue,
    currency, revenue_original, product,
    CASE
        WHEN occurred_at_raw IS NULL OR trim(occurred_at_raw) = '' THEN 'occurred_at'
        WHEN occurred_at IS NULL THEN 'occurred_at'
        WHEN occurred_at > future_limit THEN 'occurred_at'
        WHEN coalesce(customer_id, anonymous_id, email, phone) IS NULL THEN 'customer_id|anonymous_id|email|phone'
        WHEN conversion_type IS NULL THEN 'conversion_type'
        WHEN revenue_raw IS NOT NULL AND trim(revenue_raw) <> '' AND revenue_original IS NULL THEN 'revenue'
        WHEN NOT regexp_full_match(currency, '[A-Z]{3}') THEN 'currency'
        WHEN revenue_original IS NOT NULL AND rate IS NULL THEN 'currency'
    END AS __field,
    CASE
        WHEN occurred_at_raw IS NULL OR trim(occurred_at_raw) = '' THEN 'missing time'
        WHEN occurred_at IS NULL THEN 'unparseable time ' || to_json(occurred_at_raw)
        WHEN occurred_at > future_limit THEN 'time in the future ' || to_json(occurred_at_raw)
        WHEN coalesce(customer_id, anonymous_id, email, phone) IS NULL THEN 'no identifier'
        WHEN conversion_type IS NULL THEN 'missing conversion_type'
        WHEN revenue_raw IS NOT NULL AND trim(revenue_raw) <> '' AND revenue_original IS NULL THEN 'unparseable revenue ' || to_json(revenue_raw)
        WHEN NOT regexp_full_match(currency, '[A-Z]{3}') THEN 'unknown currency ' || to_json(currency)
        WHEN revenue_original IS NOT NULL AND rate IS NULL THEN 'no fx rate for ' || currency || ' on ' || occurred_at::DATE
    END AS __reason
FROM fx;
