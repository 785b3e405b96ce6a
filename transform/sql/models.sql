-- The configured models (filled from Go).
CREATE OR REPLACE TEMP TABLE models (model VARCHAR)
