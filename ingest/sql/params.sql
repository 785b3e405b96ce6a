-- Per-file constants the typing queries read: HMAC key pads, phone country code, currency, future limit.
CREATE OR REPLACE TEMP TABLE ingest_params AS
SELECT ?::BLOB AS ipad, ?::BLOB AS opad, ?::VARCHAR AS country_code, ?::VARCHAR AS currency,
       ?::TIMESTAMPTZ AS future_limit
