-- All models' credits per conversion and touch, with revenue credit; conversions with no touch
-- in their window are credited to the unattributed channel under every model.
-- Parameter: the unattributed channel's name (attribution.unattributed_channel).
CREATE TABLE _next_attribution_credits AS
WITH credits AS (
    SELECT conversion_id, model, touchpoint_id, channel, campaign, credit FROM rule_credits
    UNION ALL
    SELECT conversion_id, model, touchpoint_id, channel, campaign, credit FROM model_credits
    UNION ALL
    SELECT c.conversion_id, m.model, NULL, ?::VARCHAR, '', 1.0
    FROM _next_conversion_paths c, models m
    WHERE c.touch_count = 0
)
SELECT k.conversion_id, k.model, k.touchpoint_id, k.channel, coalesce(cm.channel_group, 'online') AS channel_group, k.campaign,
       k.credit,
       CAST(k.credit * coalesce(c.revenue, 0) AS DECIMAL(38, 10)) AS revenue_credit,
       c.conversion_type, c.occurred_at AS converted_at
FROM credits k
JOIN attributed_conversions c USING (conversion_id)
LEFT JOIN (SELECT channel, min(channel_group) AS channel_group FROM channel_map GROUP BY channel) cm ON cm.channel = k.channel
-- No ORDER BY: sorting millions of credits costs more than the rest of the statement, and readers
-- order what they read.
