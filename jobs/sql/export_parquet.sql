-- Export step: a Parquet snapshot of one published table ({{table}} quoted by
-- warehouse.QuoteIdent) to a temporary file name (bound), renamed into place afterwards.
COPY (SELECT * FROM {{table}}) TO ? (FORMAT parquet, COMPRESSION zstd)
