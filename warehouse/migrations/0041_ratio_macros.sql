-- 0041: the cost-per-acquisition rule in one place: spend / conversions, NULL when either is zero or
-- missing (an unpaid channel has no cost per acquisition, not a cost of 0). Used by channel_performance
-- (cpa), channel_roi (cac), the demo summary and the dashboard.
CREATE MACRO attrib_cpa(spend, conversions) AS (
    CASE WHEN spend > 0 AND conversions > 0 THEN spend / conversions END
);
