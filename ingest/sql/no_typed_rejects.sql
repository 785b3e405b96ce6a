-- No row failed validation: an empty table keeps the queries uniform (all_rejects.sql reads these columns).
CREATE OR REPLACE TEMP TABLE typedrej (__line BIGINT, __field VARCHAR, __reason VARCHAR)
