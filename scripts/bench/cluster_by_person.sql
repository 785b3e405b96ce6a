-- An idea measured, not in the code (docs/BENCHMARKS.md, "Passes by person-id range", last part): a rewrite pass
-- cut by person-id range instead of by identifier hash, and the non-converting passes on a copy of touchpoints
-- clustered into four, then seven person-id ranges against the table as it is. Writes and drops main.rwx and main.tpc.
--   go run -tags duckdb_arrow ./scripts/sqltime COPY-OF-WAREHOUSE.duckdb scripts/bench/cluster_by_person.sql
SET memory_limit = '2048MiB'
;;
CREATE OR REPLACE TABLE main.rwx AS FROM touchpoints LIMIT 0
;;
-- label: rewrite anonymous pass 1/3 by identifier hash (today)
-- args: 3 0
INSERT INTO main.rwx SELECT x.* REPLACE (CASE WHEN im.identifier IS NULL THEN x.person_id ELSE im.person_id END AS person_id)
FROM (SELECT * FROM touchpoints WHERE customer_id IS NULL AND anonymous_id IS NOT NULL AND hash('a:' || anonymous_id) % $1::UBIGINT = $2::UBIGINT) x
LEFT JOIN (SELECT identifier, person_id FROM identity_map WHERE identifier_type = 'a' AND hash(identifier) % $1::UBIGINT = $2::UBIGINT) im
  ON im.identifier = 'a:' || x.anonymous_id
;;
DELETE FROM main.rwx
;;
-- label: rewrite anonymous pass 1/4 by person range (idea)
-- args: 'p_40000000' 'p_80000000'
INSERT INTO main.rwx SELECT x.* REPLACE (im.person_id AS person_id)
FROM (SELECT * FROM touchpoints WHERE customer_id IS NULL AND anonymous_id IS NOT NULL) x
JOIN (SELECT identifier, person_id FROM identity_map WHERE identifier_type = 'a' AND person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) im
  ON im.identifier = 'a:' || x.anonymous_id
;;
DROP TABLE main.rwx
;;
CREATE OR REPLACE TABLE main.tpc AS FROM touchpoints LIMIT 0
;;
-- label: cluster copy 1/4
-- args: '' 'p_40000000'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 2/4
-- args: 'p_40000000' 'p_80000000'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 3/4
-- args: 'p_80000000' 'p_c0000000'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 4/4
-- args: 'p_c0000000'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR
;;
-- label: rows
SELECT (SELECT count(*) FROM main.tpc), (SELECT count(*) FROM touchpoints WHERE person_id IS NOT NULL)
;;
CREATE OR REPLACE TEMP TABLE channel_map AS
SELECT channel AS k_channel, source AS k_source, medium AS k_medium, campaign AS k_campaign, interaction AS k_interaction,
       coalesce(nullif(channel, ''), nullif(source, ''), 'Direct') AS channel, 'G' AS channel_group
FROM attrib_state.attribute_combinations
;;
CREATE OR REPLACE TEMP TABLE channel_ids AS
SELECT channel, (row_number() OVER (ORDER BY channel) - 1)::INTEGER AS cid FROM (SELECT DISTINCT channel FROM channel_map)
;;
CREATE OR REPLACE TEMP TABLE lookbacks AS SELECT 2592000000000::BIGINT AS lookback_us
;;
CREATE OR REPLACE TEMP TABLE ptx (person_id VARCHAR, first_touch_at TIMESTAMPTZ, first_touch_channel VARCHAR, last_touch_at TIMESTAMPTZ)
;;
CREATE OR REPLACE TEMP TABLE ncx (lookback_us BIGINT, person_id VARCHAR, steps INTEGER[])
;;
-- label: nc on touchpoints range 2/7
-- args: 'p_24924924' 'p_49249249'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on clustered range 2/7
-- args: 'p_24924924' 'p_49249249'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM main.tpc WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on clustered range 4/7
-- args: 'p_6db6db6d' 'p_92492492'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM main.tpc WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on touchpoints range 4/7
-- args: 'p_6db6db6d' 'p_92492492'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on touchpoints range 6/7
-- args: 'p_b6db6db6' 'p_db6db6db'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on clustered range 6/7
-- args: 'p_b6db6db6' 'p_db6db6db'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM main.tpc WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
DROP TABLE main.tpc
;;
CHECKPOINT
;;
CREATE OR REPLACE TABLE main.tpc AS FROM touchpoints LIMIT 0
;;
-- label: cluster copy 1/7
-- args: '' 'p_24924924'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 2/7
-- args: 'p_24924924' 'p_49249249'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 3/7
-- args: 'p_49249249' 'p_6db6db6d'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 4/7
-- args: 'p_6db6db6d' 'p_92492492'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 5/7
-- args: 'p_92492492' 'p_b6db6db6'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 6/7
-- args: 'p_b6db6db6' 'p_db6db6db'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR
;;
-- label: cluster copy 7/7
-- args: 'p_db6db6db'
INSERT INTO main.tpc SELECT * FROM touchpoints WHERE person_id >= $1::VARCHAR
;;
CREATE OR REPLACE TEMP TABLE channel_map AS
SELECT channel AS k_channel, source AS k_source, medium AS k_medium, campaign AS k_campaign, interaction AS k_interaction,
       coalesce(nullif(channel, ''), nullif(source, ''), 'Direct') AS channel, 'G' AS channel_group
FROM attrib_state.attribute_combinations
;;
CREATE OR REPLACE TEMP TABLE channel_ids AS
SELECT channel, (row_number() OVER (ORDER BY channel) - 1)::INTEGER AS cid FROM (SELECT DISTINCT channel FROM channel_map)
;;
CREATE OR REPLACE TEMP TABLE lookbacks AS SELECT 2592000000000::BIGINT AS lookback_us
;;
CREATE OR REPLACE TEMP TABLE ptx (person_id VARCHAR, first_touch_at TIMESTAMPTZ, first_touch_channel VARCHAR, last_touch_at TIMESTAMPTZ)
;;
CREATE OR REPLACE TEMP TABLE ncx (lookback_us BIGINT, person_id VARCHAR, steps INTEGER[])
;;
-- label: nc on touchpoints range 2/7
-- args: 'p_24924924' 'p_49249249'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on 7 clusters range 2/7
-- args: 'p_24924924' 'p_49249249'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM main.tpc WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on 7 clusters range 4/7
-- args: 'p_6db6db6d' 'p_92492492'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM main.tpc WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on touchpoints range 4/7
-- args: 'p_6db6db6d' 'p_92492492'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on touchpoints range 6/7
-- args: 'p_b6db6db6' 'p_db6db6db'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc on 7 clusters range 6/7
-- args: 'p_b6db6db6' 'p_db6db6db'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM main.tpc WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
DROP TABLE main.tpc
;;
CHECKPOINT
