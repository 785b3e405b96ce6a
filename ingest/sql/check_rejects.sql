-- The rejected rows the check pass kept (counts.sql.tmpl with .Keys): content key (in __line), field, reason.
CREATE OR REPLACE TEMP TABLE typedrej AS SELECT unnest(rejects, recursive := true) FROM filecheck
