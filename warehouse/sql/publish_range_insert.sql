-- Backfill: copies the rows of the freshly built {{next}} table whose date lies in [from, to]
-- into the published table, matching columns by name.
INSERT INTO {{table}} BY NAME
SELECT * FROM {{next}} WHERE CAST({{column}} AS DATE) BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
