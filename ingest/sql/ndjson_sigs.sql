-- The rejected objects' signatures the check pass kept (counts.sql.tmpl with .Sigs), read by Go straight
-- from filecheck (no temp table: their heads are raw text, which must not outlive the file's load):
-- content key, byte length, first 48 characters and md5 of the text, for the scan that finds their lines.
SELECT key, bytes, head, md5 FROM (SELECT unnest(reject_sigs, recursive := true) FROM filecheck)
