-- Export step: a CSV snapshot (with header) of one published table ({{table}} quoted by
-- warehouse.QuoteIdent) to a temporary file name (bound), renamed into place afterwards.
COPY (SELECT * FROM {{table}}) TO ? (FORMAT csv, HEADER true)
