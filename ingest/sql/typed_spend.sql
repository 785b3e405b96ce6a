-- Types the staged spend rows, converts to the reporting currency, and names each row's first problem.
CREATE OR REPLACE TEMP TABLE typed AS
WITH t AS (
    SELECT
        s.__line,
        s.date                                                    AS date_raw,
        attrib_parse_date(s.date)                                 AS date,
        nullif(trim(s.channel), '')                               AS channel,
        nullif(trim(s.source), '')                                AS source,
        nullif(trim(s.medium), '')                                AS medium,
        nullif(trim(s.campaign), '')                              AS campaign,
        s.spend                                                   AS spend_raw,
        attrib_parse_money(s.spend)                               AS spend_original,
        coalesce(nullif(upper(trim(s.currency)), ''), p.currency) AS currency,
        s.impressions                                             AS impressions_raw,
        try_cast(trim(s.impressions) AS BIGINT)                   AS impressions,
        s.clicks                                                  AS clicks_raw,
        try_cast(trim(s.clicks) AS BIGINT)                        AS clicks,
        p.currency                                                AS reporting_currency,
        p.future_limit
    FROM stg s, ingest_params p
),
fx AS (
    SELECT t.*,
        CASE WHEN t.currency = t.reporting_currency THEN 1::DECIMAL(18, 8) ELSE r.rate END AS rate
    FROM t
    LEFT JOIN fx_rates r ON r.currency = t.currency AND r.date = t.date
)
SELECT
    __line,
    'sp_' || md5(to_json([CAST(date AS VARCHAR), CAST(channel AS VARCHAR), CAST(source AS VARCHAR), CAST(medium AS VARCHAR), CAST(campaign AS VARCHAR), CAST(spend_original AS VARCHAR), CAST(currency AS VARCHAR), CAST(impressions AS VARCHAR), CAST(clicks AS VARCHAR)])) AS spend_id,
    date, channel, source, medium, campaign,
    CAST(spend_original * rate AS DECIMAL(18, 4)) AS spend,
    currency, spend_original, impressions, clicks,
    CASE
        WHEN date_raw IS NULL OR trim(date_raw) = '' OR date IS NULL THEN 'date'
        WHEN date > future_limit::DATE THEN 'date'
        WHEN channel IS NULL AND (source IS NULL OR medium IS NULL) THEN 'channel|source+medium'
        WHEN spend_original IS NULL THEN 'spend'
        WHEN spend_original < 0 THEN 'spend'
        WHEN impressions_raw IS NOT NULL AND trim(impressions_raw) <> '' AND (impressions IS NULL OR impressions < 0) THEN 'impressions'
        WHEN clicks_raw IS NOT NULL AND trim(clicks_raw) <> '' AND (clicks IS NULL OR clicks < 0) THEN 'clicks'
        WHEN NOT regexp_full_match(currency, '[A-Z]{3}') THEN 'currency'
        WHEN rate IS NULL THEN 'currency'
    END AS __field,
    CASE
        WHEN date_raw IS NULL OR trim(date_raw) = '' THEN 'missing date'
        WHEN date IS NULL THEN 'unparseable date ' || to_json(date_raw)
        WHEN date > future_limit::DATE THEN 'date in the future ' || to_json(date_raw)
        WHEN channel IS NULL AND (source IS NULL OR medium IS NULL) THEN 'needs channel, or source and medium'
        WHEN spend_original IS NULL THEN 'unparseable spend ' || coalesce(to_json(spend_raw), 'null')
        WHEN spend_original < 0 THEN 'negative spend ' || to_json(spend_raw)
        WHEN impressions_raw IS NOT NULL AND trim(impressions_raw) <> '' AND (impressions IS NULL OR impressions < 0) THEN 'invalid impressions ' || to_json(impressions_raw)
        WHEN clicks_raw IS NOT NULL AND trim(clicks_raw) <> '' AND (clicks IS NULL OR clicks < 0) THEN 'invalid clicks ' || to_json(clicks_raw)
        WHEN NOT regexp_full_match(currency, '[A-Z]{3}') THEN 'unknown currency ' || to_json(currency)
        WHEN rate IS NULL THEN 'no fx rate for ' || currency || ' on ' || date
    END AS __reason
FROM fx;
