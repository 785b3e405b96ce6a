-- The touches of each conversion of one type, grouped by conversion and in path order.
SELECT ct.conversion_id, ct.touchpoint_id, ct.channel, ct.campaign, ci.cid
FROM conv_touches ct JOIN channel_ids ci USING (channel)
WHERE ct.conversion_type = ?
ORDER BY ct.conversion_id, ct.pos
