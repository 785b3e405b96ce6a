-- Each conversion's touches: the person's touches with conversion time - lookback <= touch time <= conversion time,
-- in time order (ties broken by touchpoint id so that reruns give identical paths).
CREATE OR REPLACE TEMP TABLE conv_touches AS
SELECT c.conversion_id, c.conversion_type, c.occurred_at AS converted_at, c.revenue,
       t.touchpoint_id, t.channel, t.channel_group, t.campaign, t.occurred_at,
       row_number() OVER (PARTITION BY c.conversion_id ORDER BY t.occurred_at, t.touchpoint_id) AS pos,
       count(*) OVER (PARTITION BY c.conversion_id) AS n
FROM attributed_conversions c
JOIN lookbacks l ON l.conversion_type = c.conversion_type
JOIN touches t
  ON t.person_id = c.person_id
 AND t.occurred_at <= c.occurred_at
 AND t.occurred_at >= c.occurred_at - to_microseconds(l.lookback_us)
