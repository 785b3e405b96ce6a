-- The rejected objects' signatures (ndjson_sigs.sql), read by Go.
SELECT key, bytes, head, md5 FROM ndjsig
