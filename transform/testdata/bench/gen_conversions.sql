-- Synthetic conversions for the scale benchmark: conversion i of person hash(i * 11) % persons,
-- one of three types, with revenue, identified by the customer number.
-- Parameters: number of conversions, number of persons.
INSERT INTO conversions (conversion_id, occurred_at, customer_id, conversion_type, revenue, source_name, load_id)
WITH r AS (SELECT range FROM range(?::BIGINT)),
p AS (SELECT ?::BIGINT AS persons)
SELECT 'x' || r.range, TIMESTAMPTZ '2025-01-15 00:00:00+00' + to_seconds((hash(r.range * 7 + 5) % (170 * 86400))::BIGINT),
       'C' || (hash(r.range * 11 + 4) % p.persons),
       ['account_opened', 'card_activated', 'loan_funded'][1 + (hash(r.range * 17 + 6) % 3)::BIGINT],
       (10 + hash(r.range * 19 + 7) % 500)::DECIMAL(18, 4),
       'bench', 'bench'
FROM r, p
