-- Rejected rows found by content (typedrej.__line holds each one's content key, see rowKey in reader.go)
-- turned into rows at their record numbers: every record of the file with a rejected row's key (rawrej,
-- numbered) is that row again, with the same field and reason.
CREATE OR REPLACE TEMP TABLE keyrej AS SELECT DISTINCT __line AS __key, __field, __reason FROM typedrej;
CREATE OR REPLACE TEMP TABLE typedrej AS
SELECT r.__line, k.__field, k.__reason
FROM keyrej k
JOIN rawrej r USING (__key);
DROP TABLE keyrej;
