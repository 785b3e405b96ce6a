-- Conversion types without rows in the published channel_performance: a new type adds rows on
-- every day, so none can be carried over.
SELECT count(*) FROM (SELECT DISTINCT conversion_type FROM conversions WHERE person_id IS NOT NULL)
WHERE conversion_type NOT IN (SELECT DISTINCT conversion_type FROM channel_performance)
