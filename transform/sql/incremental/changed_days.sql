-- The local days whose rule-based results may differ from the published ones: the conversion days of
-- the rebuilt people (their conversions only ever gain a person, never lose one, so the new paths
-- hold every such day), and the days of the new loads' touches (inc_touch_days, built just before) and
-- spend. Rows of other days are carried over by the daily-grain evaluation tables (queries,
-- channel_performance).
CREATE OR REPLACE TEMP TABLE inc_days AS
SELECT converted_at::DATE AS day FROM _next_conversion_paths WHERE person_id IN (SELECT person_id FROM inc_aff WHERE person_id > '')
UNION
SELECT day FROM inc_touch_days
UNION
SELECT date FROM spend WHERE load_id IN (SELECT load_id FROM inc_new_loads)
