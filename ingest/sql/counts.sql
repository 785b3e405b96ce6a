-- Rows read and rows rejected in the typed file.
SELECT count(*), count(*) FILTER (WHERE __reason IS NOT NULL) FROM typed
