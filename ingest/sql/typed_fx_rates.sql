-- Types the staged fx rates: reporting-currency units per one unit of currency, per date.
CREATE OR REPLACE TEMP TABLE typed AS
WITH t AS (
    SELECT
        s.__line,
        s.date                                     AS date_raw,
        attrib_parse_date(s.date)                  AS date,
        nullif(upper(trim(s.currency)), '')        AS currency,
        s.rate                                     AS rate_raw,
        try_cast(trim(s.rate) AS DECIMAL(18, 8))   AS rate
    FROM stg s
)
SELECT
    __line,
    'fx_' || md5(to_json([CAST(date AS VARCHAR), CAST(currency AS VARCHAR)])) AS fx_id,
    date, currency, rate,
    CASE
        WHEN date IS NULL THEN 'date'
        WHEN currency IS NULL OR NOT regexp_full_match(currency, '[A-Z]{3}') THEN 'currency'
        WHEN rate IS NULL OR rate <= 0 THEN 'rate'
    END AS __field,
    CASE
        WHEN date IS NULL THEN 'unparseable date ' || coalesce(to_json(date_raw), 'null')
        WHEN currency IS NULL OR NOT regexp_full_match(currency, '[A-Z]{3}') THEN 'unknown currency ' || coalesce(to_json(currency), 'null')
        WHEN rate IS NULL OR rate <= 0 THEN 'invalid rate ' || coalesce(to_json(rate_raw), 'null')
    END AS __reason
FROM t;
