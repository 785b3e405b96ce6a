-- Lookback window per conversion type in microseconds (the default for types not configured).
CREATE OR REPLACE TEMP TABLE lookbacks AS
SELECT conversion_type, ?::BIGINT AS lookback_us FROM (SELECT DISTINCT conversion_type FROM conversions)
