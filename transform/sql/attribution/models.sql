-- The configured models (bound: the list of their names).
CREATE OR REPLACE TEMP TABLE models AS SELECT unnest(?::VARCHAR[]) AS model
