-- Backfill: copies the rows of {{next}} whose {{key}} belongs to a row of the freshly built
-- parent ({{next_parent}}) dated in [from, to], matching columns by name.
INSERT INTO {{table}} BY NAME
SELECT * FROM {{next}} WHERE {{key}} IN (
    SELECT {{key}} FROM {{next_parent}} WHERE CAST({{column}} AS DATE) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE))
