-- Synthetic touchpoints for the scale benchmark, generated in DuckDB: touch t belongs to
-- person hash(t) % persons; 60% of rows carry only the cookie, 30% cookie and customer number
-- (a login, which stitches them), 10% only the customer number (offline: branch, call centre).
-- Parameters: number of touches, number of persons.
INSERT INTO touchpoints (touchpoint_id, occurred_at, customer_id, anonymous_id, channel, source, medium, campaign,
                         interaction, source_name, load_id)
WITH r AS (SELECT range FROM range(?::BIGINT)),
p AS (SELECT ?::BIGINT AS persons),
t AS (
    SELECT r.range AS t, (hash(r.range) % p.persons)::BIGINT AS person, (hash(r.range * 13 + 1) % 10)::BIGINT AS kind,
           (hash(r.range * 3 + 2) % 12)::BIGINT AS ch
    FROM r, p
)
SELECT 't' || t, TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_seconds((hash(t * 5 + 3) % (180 * 86400))::BIGINT),
       CASE WHEN kind >= 6 THEN 'C' || person END,
       CASE WHEN kind < 9 THEN 'ck' || person END,
       CASE WHEN kind = 9 THEN ['Branch', 'Call Centre'][1 + ch % 2] END,
       CASE WHEN kind < 9 THEN ['google', 'google', 'facebook', '(direct)', 'newsletter', 'bing', 'baidu', 'youtube',
                                'partner.example.com', 'tiktok', 'wechat', 'criteo'][1 + ch] END,
       CASE WHEN kind < 9 THEN ['cpc', 'organic', 'paid_social', '(none)', 'email', 'cpc', 'organic', 'video',
                                'referral', 'paid_social', 'social', 'display'][1 + ch] END,
       'c' || (ch % 4), 'visit', 'bench', 'bench'
FROM t
