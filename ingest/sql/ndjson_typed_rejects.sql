-- The rejected rows at their physical lines replace the check pass's content keys.
CREATE OR REPLACE TEMP TABLE typedrej AS SELECT __line, __field, __reason FROM ndjfound
