-- 0001: the canonical datasets (DESIGN.md "Canonical inputs") and load bookkeeping.
-- Money is DECIMAL; timestamps are TIMESTAMPTZ (shown in the configured time zone).
-- email and phone hold the HMAC-SHA-256 (hex) of the normalised value, never the raw value.

CREATE TABLE ingest_files (
    load_id        VARCHAR PRIMARY KEY,
    source         VARCHAR NOT NULL,
    dataset        VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,
    size           BIGINT,
    sha256         VARCHAR,
    modified_at    TIMESTAMPTZ,
    status         VARCHAR NOT NULL,   -- loaded | skipped | failed
    rows_read      BIGINT NOT NULL DEFAULT 0,
    rows_loaded    BIGINT NOT NULL DEFAULT 0,
    rows_rejected  BIGINT NOT NULL DEFAULT 0,
    rows_duplicate BIGINT NOT NULL DEFAULT 0,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ,
    message        VARCHAR
);

CREATE TABLE rejected_rows (
    load_id     VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    line        BIGINT,
    field       VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR,
    rejected_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE touchpoints (
    touchpoint_id VARCHAR NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL,
    customer_id   VARCHAR,
    anonymous_id  VARCHAR,
    email         VARCHAR,
    phone         VARCHAR,
    channel       VARCHAR,
    source        VARCHAR,
    medium        VARCHAR,
    campaign      VARCHAR,
    content       VARCHAR,
    term          VARCHAR,
    interaction   VARCHAR,
    cost          DECIMAL(18, 4),
    location      VARCHAR,
    person_id     VARCHAR,
    source_name   VARCHAR NOT NULL,
    load_id       VARCHAR NOT NULL
);

CREATE TABLE conversions (
    conversion_id    VARCHAR NOT NULL,
    occurred_at      TIMESTAMPTZ NOT NULL,
    customer_id      VARCHAR,
    anonymous_id     VARCHAR,
    email            VARCHAR,
    phone            VARCHAR,
    conversion_type  VARCHAR NOT NULL,
    revenue          DECIMAL(18, 4),   -- in the reporting currency
    currency         VARCHAR,          -- as delivered
    revenue_original DECIMAL(18, 4),   -- as delivered, in currency
    product          VARCHAR,
    person_id        VARCHAR,
    source_name      VARCHAR NOT NULL,
    load_id          VARCHAR NOT NULL
);

CREATE TABLE spend (
    spend_id       VARCHAR NOT NULL,
    date           DATE NOT NULL,
    channel        VARCHAR,
    source         VARCHAR,
    medium         VARCHAR,
    campaign       VARCHAR,
    spend          DECIMAL(18, 4) NOT NULL, -- in the reporting currency
    currency       VARCHAR,
    spend_original DECIMAL(18, 4),
    impressions    BIGINT,
    clicks         BIGINT,
    source_name    VARCHAR NOT NULL,
    load_id        VARCHAR NOT NULL
);

CREATE TABLE identity_links (
    link_id      VARCHAR NOT NULL,
    observed_at  TIMESTAMPTZ,
    customer_id  VARCHAR,
    anonymous_id VARCHAR,
    email        VARCHAR,
    phone        VARCHAR,
    source_name  VARCHAR NOT NULL,
    load_id      VARCHAR NOT NULL
);

CREATE TABLE activity (
    activity_id  VARCHAR NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    customer_id  VARCHAR,
    anonymous_id VARCHAR,
    email        VARCHAR,
    phone        VARCHAR,
    event        VARCHAR NOT NULL,
    value        DECIMAL(18, 4),
    person_id    VARCHAR,
    source_name  VARCHAR NOT NULL,
    load_id      VARCHAR NOT NULL
);

CREATE TABLE fx_rates (
    fx_id       VARCHAR NOT NULL,
    date        DATE NOT NULL,
    currency    VARCHAR NOT NULL,
    rate        DECIMAL(18, 8) NOT NULL, -- reporting-currency units per 1 unit of currency
    source_name VARCHAR NOT NULL,
    load_id     VARCHAR NOT NULL
);

CREATE TABLE pipeline_runs (
    run_id      VARCHAR PRIMARY KEY,
    job         VARCHAR NOT NULL,
    trigger     VARCHAR NOT NULL,   -- manual | schedule | backfill | demo
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,   -- running | succeeded | failed | cancelled | skipped
    rows_in     BIGINT,
    rows_out    BIGINT,
    error       VARCHAR,
    steps       VARCHAR,            -- JSON: [{step, seconds, rows}]
    pid         INTEGER,
    host        VARCHAR
);

-- Parsing helpers used by the ingest SQL.
-- attrib_parse_ts: ISO-8601 (with or without zone), 'YYYY-MM-DD HH:MM:SS', 'YYYY/MM/DD[ HH:MM:SS]',
-- 'DD.MM.YYYY', epoch seconds (9-10 digits) and milliseconds (12-13 digits). Timestamps without a
-- zone are read in the session time zone (the configured `timezone`).
CREATE MACRO attrib_parse_ts(x) AS (
    CASE
        WHEN x IS NULL OR trim(x) = '' THEN NULL
        WHEN regexp_full_match(trim(x), '\d{12,13}') THEN make_timestamptz(trim(x)::BIGINT * 1000)
        WHEN regexp_full_match(trim(x), '\d{9,10}') THEN make_timestamptz(trim(x)::BIGINT * 1000000)
        ELSE coalesce(
            try_cast(trim(x) AS TIMESTAMPTZ),
            try_strptime(trim(x), ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d', '%d.%m.%Y %H:%M:%S', '%d.%m.%Y', '%Y%m%d'])::TIMESTAMPTZ
        )
    END
);

-- attrib_parse_date: a calendar date in the same formats (a timestamp is truncated in the session zone).
CREATE MACRO attrib_parse_date(x) AS (attrib_parse_ts(x)::DATE);

-- attrib_parse_money: decimal with optional thousands separators and currency symbols removed.
CREATE MACRO attrib_parse_money(x) AS (
    try_cast(regexp_replace(trim(x), '[,\s$€£¥]', '', 'g') AS DECIMAL(18, 4))
);

-- attrib_norm_email / attrib_norm_phone: the normalisation applied before hashing.
CREATE MACRO attrib_norm_email(x) AS (nullif(lower(trim(x)), ''));
CREATE MACRO attrib_norm_phone(x, cc) AS (
    CASE
        WHEN x IS NULL OR regexp_replace(x, '[^0-9]', '', 'g') = '' THEN NULL
        WHEN starts_with(trim(x), '+') THEN regexp_replace(x, '[^0-9]', '', 'g')
        WHEN starts_with(regexp_replace(x, '[^0-9]', '', 'g'), '00') THEN regexp_replace(regexp_replace(x, '[^0-9]', '', 'g'), '^00', '')
        WHEN cc <> '' AND starts_with(regexp_replace(x, '[^0-9]', '', 'g'), '0') THEN cc || regexp_replace(regexp_replace(x, '[^0-9]', '', 'g'), '^0', '')
        WHEN cc <> '' THEN cc || regexp_replace(x, '[^0-9]', '', 'g')
        ELSE regexp_replace(x, '[^0-9]', '', 'g')
    END
);

-- attrib_hmac: HMAC-SHA-256 (hex) of msg, given the key's inner and outer padded blocks (RFC 2104).
CREATE MACRO attrib_hmac(msg, ipad, opad) AS (
    CASE WHEN msg IS NULL THEN NULL
         ELSE sha256(opad || unhex(sha256(ipad || encode(msg)))) END
);
