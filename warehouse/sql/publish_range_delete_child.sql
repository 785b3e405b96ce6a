-- Backfill: deletes the published rows of a table without a date of its own (e.g.
-- attribution_credits) whose {{key}} belongs to a {{parent}} row dated in [from, to].
DELETE FROM {{table}} WHERE {{key}} IN (
    SELECT {{key}} FROM {{parent}} WHERE CAST({{column}} AS DATE) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE))
