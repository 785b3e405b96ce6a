-- Reads a path file in ChannelAttribution's format as text, one row per line after the header; the file
-- name is bound. Numbers are parsed in Go so that a bad cell is reported with its line and column.
SELECT * FROM read_csv(?, header = true, all_varchar = true)
