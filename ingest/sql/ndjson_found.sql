-- Each line that holds a rejected object's text is that rejected row again, with the field and reason the
-- check pass gave its content key (records with the same content type the same way).
CREATE OR REPLACE TEMP TABLE ndjfound AS
SELECT l.line AS __line, k.__field, k.__reason, l.text
FROM ndjlines l
JOIN ndjrej j USING (text)
JOIN (SELECT DISTINCT __line AS __key, __field, __reason FROM typedrej) k USING (__key)
