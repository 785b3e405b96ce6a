-- 0010 (ingest): masking of raw records that the CSV reader could not split into columns.
-- attrib_mask_raw_line: every delimited token (, ; tab |) that holds an '@' (an e-mail address) or looks
-- like a phone number (7 or more digits and nothing but digits, spaces and + ( ) . - /; not a date) becomes ***.
CREATE OR REPLACE MACRO attrib_mask_raw_line(line) AS (
    array_to_string(list_transform(regexp_extract_all(coalesce(line, ''), '[^,;\t|]+|[,;\t|]'), tok ->
        CASE
            WHEN contains(tok, '@') THEN '***'
            WHEN length(regexp_replace(tok, '[^0-9]', '', 'g')) >= 7
             AND regexp_full_match(trim(tok, ' "'''), '[0-9 ().+/-]+')
             AND NOT regexp_full_match(trim(tok, ' "'''), '[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}.*')
            THEN '***'
            ELSE tok
        END), '')
);
