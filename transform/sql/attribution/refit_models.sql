-- The configured data-driven models (bound: the list of their names): their credits change with every fit,
-- so no run carries them over.
CREATE OR REPLACE TEMP TABLE refit_models AS SELECT unnest(?::VARCHAR[]) AS model
