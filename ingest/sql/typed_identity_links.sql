-- Types the staged identity links; a link needs two or more identifiers.
CREATE OR REPLACE TEMP TABLE typed AS
WITH t AS (
    SELECT
        s.__line,
        s.observed_at                                            AS observed_at_raw,
        attrib_parse_ts(s.observed_at)                           AS observed_at,
        nullif(trim(s.customer_id), '')                          AS customer_id,
        nullif(trim(s.anonymous_id), '')                         AS anonymous_id,
        attrib_hmac(attrib_norm_email(s.email), p.ipad, p.opad)  AS email,
        attrib_hmac(attrib_norm_phone(s.phone, p.country_code), p.ipad, p.opad) AS phone
    FROM stg s, ingest_params p
)
SELECT
    __line,
    'il_' || md5(to_json([CAST(epoch_us(observed_at) AS VARCHAR), CAST(customer_id AS VARCHAR), CAST(anonymous_id AS VARCHAR), CAST(email AS VARCHAR), CAST(phone AS VARCHAR)])) AS link_id,
    observed_at, customer_id, anonymous_id, email, phone,
    CASE
        WHEN observed_at_raw IS NOT NULL AND trim(observed_at_raw) <> '' AND observed_at IS NULL THEN 'observed_at'
        WHEN (customer_id IS NOT NULL)::INT + (anonymous_id IS NOT NULL)::INT + (email IS NOT NULL)::INT + (phone IS NOT NULL)::INT < 2
            THEN 'customer_id|anonymous_id|email|phone'
    END AS __field,
    CASE
        WHEN observed_at_raw IS NOT NULL AND trim(observed_at_raw) <> '' AND observed_at IS NULL THEN 'unparseable time ' || to_json(observed_at_raw)
        WHEN (customer_id IS NOT NULL)::INT + (anonymous_id IS NOT NULL)::INT + (email IS NOT NULL)::INT + (phone IS NOT NULL)::INT < 2
            THEN 'a link needs two or more identifiers'
    END AS __reason
FROM t;
