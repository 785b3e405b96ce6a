-- 0011 (ingest): faster parsing macros, same results as 0001.
-- DuckDB's own cast reads most values (ISO-8601 and 'YYYY-MM-DD HH:MM:SS' times, plain decimals);
-- only what it refuses goes through the slower rules of 0001 (epoch seconds/milliseconds, slashes,
-- dotted dates, thousands separators, currency symbols). COALESCE evaluates its second argument
-- only for the rows where the first is NULL.
CREATE OR REPLACE MACRO attrib_parse_ts(x) AS (
    CASE
        WHEN x IS NULL THEN NULL
        ELSE coalesce(
            CASE WHEN NOT regexp_full_match(x, '\s*\d+\s*') THEN try_cast(x AS TIMESTAMPTZ) END,
            CASE
                WHEN trim(x) = '' THEN NULL
                WHEN regexp_full_match(trim(x), '\d{12,13}') THEN make_timestamptz(trim(x)::BIGINT * 1000)
                WHEN regexp_full_match(trim(x), '\d{9,10}') THEN make_timestamptz(trim(x)::BIGINT * 1000000)
                ELSE coalesce(
                    try_cast(trim(x) AS TIMESTAMPTZ),
                    try_strptime(trim(x), ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%d.%m.%Y %H:%M:%S', '%d.%m.%Y', '%Y%m%d'])::TIMESTAMPTZ
                )
            END
        )
    END
);

CREATE OR REPLACE MACRO attrib_parse_date(x) AS (attrib_parse_ts(x)::DATE);

CREATE OR REPLACE MACRO attrib_parse_money(x) AS (
    coalesce(
        try_cast(x AS DECIMAL(18, 4)),
        try_cast(regexp_replace(trim(x), '[,\s$€£¥]', '', 'g') AS DECIMAL(18, 4))
    )
);
