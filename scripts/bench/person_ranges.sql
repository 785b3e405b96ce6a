-- The passes by person of a full run, cut by a hash of the person id (before 852b825) and by person-id
-- range (since), interleaved pass by pass so that both see the same phase of the machine:
--   go run -tags duckdb_arrow ./scripts/sqltime COPY-OF-WAREHOUSE.duckdb scripts/bench/person_ranges.sql
-- on a copy of a warehouse after a full run (docs/BENCHMARKS.md, "Passes by person-id range"). The
-- statements are those of transform/sql/paths/person_touches.sql.tmpl and of
-- transform/sql/attribution/nonconverting_paths.sql.tmpl (LastKnown) as of 852b825, inserting into
-- scratch temp tables; channel_map is rebuilt from attrib_state.attribute_combinations with a simple
-- rule (the channels differ from the run's, the work does not). The passes are 3 and 7, as at 18 M
-- people with a 2 GiB memory_limit.
SET memory_limit = '2048MiB'
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
-- label: person_touches hash 1/3
-- args: 3 0
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches range 1/3
-- args: '' 'p_55555555'
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches range 2/3
-- args: 'p_55555555' 'p_aaaaaaaa'
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches hash 2/3
-- args: 3 1
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches hash 3/3
-- args: 3 2
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches range 3/3
-- args: 'p_aaaaaaaa'
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches round 1: rows (each twice), check
SELECT count(*), count(DISTINCT person_id) FROM ptx
;;
DELETE FROM ptx
;;
-- label: person_touches range 1/3
-- args: '' 'p_55555555'
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches hash 1/3
-- args: 3 0
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches hash 2/3
-- args: 3 1
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches range 2/3
-- args: 'p_55555555' 'p_aaaaaaaa'
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches range 3/3
-- args: 'p_aaaaaaaa'
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches hash 3/3
-- args: 3 2
INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL)
GROUP BY person_id
;;
-- label: person_touches round 2: rows (each twice), check
SELECT count(*), count(DISTINCT person_id) FROM ptx
;;
DELETE FROM ptx
;;
-- label: nc_paths hash 1/7
-- args: 7 0
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths range 1/7
-- args: '' 'p_24924924'
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
-- label: nc_paths range 2/7
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
-- label: nc_paths hash 2/7
-- args: 7 1
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths hash 3/7
-- args: 7 2
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths range 3/7
-- args: 'p_49249249' 'p_6db6db6d'
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
-- label: nc_paths range 4/7
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
-- label: nc_paths hash 4/7
-- args: 7 3
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths hash 5/7
-- args: 7 4
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths range 5/7
-- args: 'p_92492492' 'p_b6db6db6'
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
-- label: nc_paths range 6/7
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
-- label: nc_paths hash 6/7
-- args: 7 5
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths hash 7/7
-- args: 7 6
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths range 7/7
-- args: 'p_db6db6db'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths round 1: rows (each twice), check
SELECT count(*), sum(len(steps)) FROM ncx
;;
DELETE FROM ncx
;;
-- label: nc_paths range 1/7
-- args: '' 'p_24924924'
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
-- label: nc_paths hash 1/7
-- args: 7 0
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths hash 2/7
-- args: 7 1
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths range 2/7
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
-- label: nc_paths range 3/7
-- args: 'p_49249249' 'p_6db6db6d'
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
-- label: nc_paths hash 3/7
-- args: 7 2
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths hash 4/7
-- args: 7 3
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths range 4/7
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
-- label: nc_paths range 5/7
-- args: 'p_92492492' 'p_b6db6db6'
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
-- label: nc_paths hash 5/7
-- args: 7 4
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths hash 6/7
-- args: 7 5
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths range 6/7
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
-- label: nc_paths range 7/7
-- args: 'p_db6db6db'
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE person_id >= $1::VARCHAR) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE person_id >= $1::VARCHAR),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths hash 7/7
-- args: 7 6
INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM (SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM touchpoints WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE hash(person_id) % $1::UBIGINT = $2::UBIGINT),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id
;;
-- label: nc_paths round 2: rows (each twice), check
SELECT count(*), sum(len(steps)) FROM ncx
;;
DELETE FROM ncx
