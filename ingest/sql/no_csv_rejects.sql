-- Formats other than CSV have no reader-level rejects: an empty table keeps the queries uniform.
CREATE OR REPLACE TEMP TABLE csvrej (line BIGINT, rec BIGINT, field VARCHAR, reason VARCHAR, raw VARCHAR)
