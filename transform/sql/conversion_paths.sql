-- One row per conversion: its path of channels, touch count and time to convert.
-- Parameter: the unattributed channel's name (the path of a conversion without a touch).
CREATE TABLE _next_conversion_paths AS
SELECT c.conversion_id, c.person_id, c.conversion_type, c.occurred_at AS converted_at, c.revenue,
       coalesce(p.path, ?::VARCHAR) AS path,
       coalesce(p.touch_count, 0) AS touch_count,
       p.first_touch_at,
       CASE WHEN p.first_touch_at IS NULL THEN NULL
            ELSE (epoch(c.occurred_at) - epoch(p.first_touch_at)) / 86400.0 END AS days_to_convert
FROM attributed_conversions c
LEFT JOIN (
    SELECT conversion_id, array_to_string(list_transform(list_sort(list({'p': pos, 'c': channel})), x -> x.c), ' > ') AS path,
           count(*) AS touch_count,
           min(occurred_at) AS first_touch_at
    FROM conv_touches GROUP BY conversion_id
) p USING (conversion_id)
ORDER BY c.occurred_at, c.conversion_id
