-- The rejected objects' signatures the check pass kept (counts.sql.tmpl with .Sigs): content key, byte
-- length, first 48 characters and md5 of the text, for the scan in Go that finds their lines.
CREATE OR REPLACE TEMP TABLE ndjsig AS SELECT unnest(reject_sigs, recursive := true) FROM filecheck
