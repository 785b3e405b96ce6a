-- Physical lines of a CSV file's rejected rows, filled from Go (csvlines.go) when a scan of the file
-- agrees with the reader: kind 'rec' maps a record number (typedrej.__line), kind 'logical' a reader
-- reject's line (csvrej.line). Empty for other formats and when the scan disagrees.
CREATE OR REPLACE TEMP TABLE csvmap (kind VARCHAR, key BIGINT, physical BIGINT)
