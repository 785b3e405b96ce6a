-- No raw records to keep (no rejected rows, or the file fails anyway).
CREATE OR REPLACE TEMP TABLE rawrej (__line BIGINT, raw VARCHAR)
