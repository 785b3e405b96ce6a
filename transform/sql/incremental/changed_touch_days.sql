-- The local days of the new loads' touches: the only days whose touch counts can differ from the published
-- ones (a run only adds touches, and the same settings classify the old ones the same way). The evaluation
-- recounts the touches of these days and carries the published counts of every other day over
-- (queries, channel_performance). changed_days.sql adds them to inc_days, with the conversion days of the
-- rebuilt people, which at scale are nearly every day.
CREATE OR REPLACE TEMP TABLE inc_touch_days AS
SELECT DISTINCT occurred_at::DATE AS day FROM touchpoints WHERE load_id IN (SELECT load_id FROM inc_new_loads)
