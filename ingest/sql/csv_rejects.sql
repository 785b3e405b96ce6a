-- Records the CSV reader could not split into the header's columns, one row per record, raw line masked.
-- rec is the record's number among the data records (line minus header lines).
CREATE OR REPLACE TEMP TABLE csvrej AS
SELECT line, line - ? AS rec, field, reason, attrib_mask_raw_line(raw) AS raw
FROM (
    SELECT line,
           first(column_name ORDER BY column_idx) AS field,
           first(lower(error_type) || ': ' || error_message ORDER BY column_idx) AS reason,
           first(csv_line ORDER BY column_idx) AS raw
    FROM attrib_csv_rejects
    GROUP BY line
)
