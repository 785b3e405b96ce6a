-- Backfill: deletes the published rows of a date-grained result table whose date lies in
-- [from, to]. {{table}} and {{column}} are identifiers quoted by warehouse.QuoteIdent.
DELETE FROM {{table}} WHERE CAST({{column}} AS DATE) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
