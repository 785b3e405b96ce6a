-- A block-list value hashed as ingest hashes e-mail and phone (NULL when it is not one).
-- Parameters: value, HMAC inner pad, outer pad, value, default country code, inner pad, outer pad.
SELECT attrib_hmac(attrib_norm_email(?), ?::BLOB, ?::BLOB), attrib_hmac(attrib_norm_phone(?, ?), ?::BLOB, ?::BLOB)
